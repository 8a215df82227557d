"""The specialists' settings screens, kept by the organization: the catalogs (specialist
groups, client groups, roles, calendars) and the additional fields of specialists and
clients."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from specialists import selectors, services
from specialists.forms import (
    AdditionalFieldForm,
    catalog_form,
)
from specialists.models import AdditionalField
from specialists.views import confirm_page, page_redirect
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest, form_errors, query_param, refused_status

CATALOG_LABELS = (
    ("specialist-groups", gettext_lazy("Specialist groups")),
    ("client-groups", gettext_lazy("Client groups")),
    ("roles", gettext_lazy("Roles")),
    ("calendars", gettext_lazy("Calendars")),
)


# Catalogs: specialist groups, client groups, roles and calendars.


def _catalog_page(
    request: VigiaRequest, kind: str, form=None, editing=None, status: int = 200
) -> HttpResponse:
    context = {
        "kind": kind,
        "kind_labels": CATALOG_LABELS,
        "items": selectors.catalog_list(
            organization=request.organization, kind=kind, q=query_param(request)
        ),
        "q": query_param(request),
        "form": form or catalog_form(kind, organization=request.organization),
        "editing": editing,
    }
    return render(request, "specialists/catalog.html", context, status=status)


@require_GET
@member_required
def catalog_list(request: VigiaRequest, kind: str) -> HttpResponse:
    selectors.catalog_model(kind)
    editing = None
    form = None
    if edit := request.GET.get("edit"):
        editing = selectors.catalog_get(organization=request.organization, kind=kind, code=edit)
        initial = {"name": editing.name, "description": editing.description}
        if hasattr(editing, "projects"):
            initial["projects"] = list(editing.projects.all())
        form = catalog_form(kind, initial=initial, organization=request.organization)
    return _catalog_page(request, kind, form=form, editing=editing)


@require_POST
@admin_required
def catalog_save(request: VigiaRequest, kind: str) -> HttpResponse:
    model = selectors.catalog_model(kind)
    editing = None
    if code := request.POST.get("code"):
        editing = selectors.catalog_get(organization=request.organization, kind=kind, code=code)
    form = catalog_form(kind, request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.catalog_save(
                organization=request.organization, instance=editing or model(), **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return page_redirect(request, reverse("specialists:catalog", kwargs={"kind": kind}))
    return _catalog_page(request, kind, form=form, editing=editing, status=refused_status(request))


@require_http_methods(["GET", "POST"])
@admin_required
def catalog_delete(request: VigiaRequest, kind: str, code: UUID) -> HttpResponse:
    item = selectors.catalog_get(organization=request.organization, kind=kind, code=code)
    back = reverse("specialists:catalog", kwargs={"kind": kind})
    if request.method == "GET":
        return confirm_page(
            request,
            question=_("Delete it? It is removed from everyone who has it."),
            subject=item.name,
            button=_("Delete"),
            back=back,
        )
    try:
        services.catalog_delete(organization=request.organization, instance=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Deleted."))
    return page_redirect(request, back)


# Additional fields: defined once per organization, by its admins, for its specialists and
# for its clients (the "entity" parameter; specialists when absent).


def _entity(request: VigiaRequest) -> str:
    entity = request.POST.get("entity") or request.GET.get("entity")
    return entity if entity in AdditionalField.Entity.values else AdditionalField.Entity.SPECIALIST


def _fields_url(entity: str) -> str:
    url = reverse("specialists:fields")
    return url if entity == AdditionalField.Entity.SPECIALIST else f"{url}?entity={entity}"


def _fields_page(
    request: VigiaRequest, entity: str, form=None, editing=None, status: int = 200
) -> HttpResponse:
    context = {
        "entity": entity,
        "entities": AdditionalField.Entity.choices,
        "fields_url": _fields_url(entity),
        "fields": selectors.additional_field_list(organization=request.organization, entity=entity),
        "form": form or AdditionalFieldForm(instance=editing),
        "editing": editing,
    }
    return render(request, "specialists/fields.html", context, status=status)


def _field_get(request: VigiaRequest, code, entity: str) -> AdditionalField:
    field = selectors.additional_field_get(organization=request.organization, code=code)
    if field.entity != entity:
        raise Http404
    return field


@require_GET
@admin_required
def field_list(request: VigiaRequest) -> HttpResponse:
    entity = _entity(request)
    editing = None
    if edit := request.GET.get("edit"):
        editing = _field_get(request, edit, entity)
    return _fields_page(request, entity, editing=editing)


@require_POST
@admin_required
def field_save(request: VigiaRequest) -> HttpResponse:
    entity = _entity(request)
    editing = None
    if code := request.POST.get("code"):
        editing = _field_get(request, code, entity)
    form = AdditionalFieldForm(request.POST, instance=editing)
    if form.is_valid():
        try:
            services.additional_field_save(
                organization=request.organization,
                instance=form.instance,
                entity=entity,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return page_redirect(request, _fields_url(entity))
    return _fields_page(request, entity, form=form, editing=editing, status=refused_status(request))


@require_http_methods(["GET", "POST"])
@admin_required
def field_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    field = selectors.additional_field_get(organization=request.organization, code=code)
    back = _fields_url(field.entity)
    if request.method == "GET":
        if field.entity == AdditionalField.Entity.CLIENT:
            question = _("Delete this field and every client's value of it?")
        else:
            question = _("Delete this field and every specialist's value of it?")
        return confirm_page(
            request,
            question=question,
            subject=field.label,
            button=_("Delete"),
            back=back,
        )
    services.additional_field_delete(organization=request.organization, instance=field)
    messages.success(request, _("Deleted."))
    return page_redirect(request, back)
