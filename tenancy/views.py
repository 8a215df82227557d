from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy.decorators import admin_required, member_required
from tenancy.forms import OrganizationSettingsForm
from tenancy.http import VigiaRequest, form_errors, next_url, refused_status
from tenancy.models import Language
from tenancy.selectors import (
    ORGANIZATION_SESSION_KEY,
    PROJECT_SESSION_KEY,
    membership_find,
    project_get,
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
    return render(request, "tenancy/settings.html", {"form": form}, status=status)
