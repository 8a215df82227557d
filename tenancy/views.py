from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import services
from tenancy.decorators import admin_required, member_required
from tenancy.forms import OrganizationSettingsForm, ProjectForm
from tenancy.http import REFUSED, VigiaRequest, form_errors, next_url, refused_status
from tenancy.models import Language
from tenancy.selectors import (
    ORGANIZATION_SESSION_KEY,
    PROJECT_SESSION_KEY,
    membership_find,
    project_get,
    project_overview,
    project_relations,
)
from tenancy.services import organization_update, user_set_language


@require_POST
@login_required
def organization_switch(request: VigiaRequest) -> HttpResponse:
    membership = membership_find(
        user=request.user, organization_code=request.POST.get("organization")
    )
    if membership is not None:
        request.session[ORGANIZATION_SESSION_KEY] = str(membership.organization.code)
        request.session.pop(PROJECT_SESSION_KEY, None)
    # A foreign or unknown organization changes nothing: no hint that it exists.
    return redirect("dashboard")


@require_POST
@member_required
def project_switch(request: VigiaRequest) -> HttpResponse:
    project = project_get(organization=request.organization, code=request.POST.get("project"))
    request.session[PROJECT_SESSION_KEY] = str(project.code)
    return redirect(next_url(request, "dashboard"))


@require_POST
@login_required
def language_switch(request: VigiaRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language in Language.values:
        user_set_language(user=request.user, language=language)
        translation.activate(language)
    return redirect(next_url(request, "dashboard"))


def _settings_page(request: VigiaRequest, *, status: int = 200, **forms) -> HttpResponse:
    """The organization's settings, every section with its form; `forms` replaces one that
    was refused, to show its errors."""
    relations = project_relations()
    columns = [relation.related_model._meta.verbose_name_plural for relation in relations]
    context = {
        "form": OrganizationSettingsForm(instance=request.organization),
        "project_form": ProjectForm(),
        "project_columns": columns,
        # Each project with its count of every kind of row, beside the column's name.
        "projects": [
            (
                project,
                [
                    (getattr(project, f"{relation.name}_count"), column)
                    for relation, column in zip(relations, columns, strict=True)
                ],
            )
            for project in project_overview(organization=request.organization)
        ],
        **forms,
    }
    return render(request, "tenancy/settings.html", context, status=status)


PROJECTS_URL = "organization_settings"


def _projects_done() -> HttpResponse:
    # Plain posts, answered with the whole page: the project selector at the top right
    # lists the projects too.
    return redirect(reverse(PROJECTS_URL) + "#projects")


@admin_required
def organization_settings(request: VigiaRequest) -> HttpResponse:
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(organization=request.organization, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("organization_settings")
    status = refused_status(request) if request.method == "POST" else 200
    return _settings_page(request, form=form, status=status)


@require_POST
@admin_required
def project_create(request: VigiaRequest) -> HttpResponse:
    form = ProjectForm(request.POST)
    if form.is_valid():
        try:
            project = services.project_create(
                organization=request.organization, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Project “%(name)s” created.") % {"name": project})
            return _projects_done()
    return _settings_page(request, project_form=form, status=REFUSED)


@require_POST
@admin_required
def project_rename(request: VigiaRequest, code: UUID) -> HttpResponse:
    project = project_get(organization=request.organization, code=code, include_archived=True)
    old_name = project.name
    form = ProjectForm(request.POST, instance=project)
    if form.is_valid():
        try:
            services.project_rename(
                organization=request.organization, project=project, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Project “%(old)s” renamed to “%(new)s”.") % {"old": old_name, "new": project},
            )
            return _projects_done()
    # The form changed the instance's name; the list shows the name it still has.
    project.name = old_name
    return _settings_page(request, rename_form=form, renaming=project.code, status=REFUSED)


@require_POST
@admin_required
def project_archive(request: VigiaRequest, code: UUID, archived: bool) -> HttpResponse:
    project = project_get(organization=request.organization, code=code, include_archived=True)
    services.project_set_archived(
        organization=request.organization, project=project, archived=archived
    )
    if archived:
        message = _(
            "Project “%(name)s” archived: it left the project selector; its clients and "
            "specialists keep their association."
        )
    else:
        message = _("Project “%(name)s” restored to the project selector.")
    messages.success(request, message % {"name": project})
    return _projects_done()
