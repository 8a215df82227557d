"""The catalogs' back-office screens: admins manage them; documents are downloaded only
through `document_download`, which checks the organization."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from catalogs import selectors, services
from catalogs.forms import CatalogForm, DocumentForm
from catalogs.models import Catalog
from clients.selectors import client_get
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest, form_errors, query_param, refused_status

LIST_TEMPLATE = "catalogs/catalog_list.html"
DETAIL_TEMPLATE = "catalogs/catalog_detail.html"


def _direction(request: VigiaRequest) -> str:
    return "up" if request.POST.get("direction") == "up" else "down"


def _page_number(request: VigiaRequest) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def _redirect(request: VigiaRequest, url: str) -> HttpResponse:
    # htmx would swap a followed redirect into the clicked element; it must load the page.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _detail_url(catalog: Catalog) -> str:
    return reverse("catalogs:detail", kwargs={"code": catalog.code})


def _list_page(request: VigiaRequest, form: CatalogForm | None = None, status: int = 200):
    context = {
        "catalogs": selectors.catalog_list(organization=request.organization),
        "form": form or CatalogForm(),
    }
    return render(request, LIST_TEMPLATE, context, status=status)


@require_GET
@admin_required
def catalog_list(request: VigiaRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@admin_required
def catalog_create(request: VigiaRequest) -> HttpResponse:
    form = CatalogForm(request.POST)
    if form.is_valid():
        try:
            catalog = services.catalog_create(
                organization=request.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Catalog “%(name)s” created.") % {"name": catalog})
            return _redirect(request, _detail_url(catalog))
    return _list_page(request, form=form, status=refused_status(request))


def _detail_page(
    request: VigiaRequest,
    catalog: Catalog,
    *,
    form: CatalogForm | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    q = query_param(request)
    context = {
        "catalog": catalog,
        "form": form or CatalogForm(instance=catalog),
        "document_form": document_form or DocumentForm(),
        "documents": selectors.catalog_documents(catalog=catalog),
        "clients_page": selectors.catalog_clients_page(catalog=catalog, page=_page_number(request)),
        "q": q,
        "candidates": selectors.catalog_client_candidates(
            organization=request.organization, catalog=catalog, query=q
        ),
    }
    return render(request, DETAIL_TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@admin_required
def catalog_detail(request: VigiaRequest, code: UUID) -> HttpResponse:
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    if request.method == "GET":
        return _detail_page(request, catalog)
    form = CatalogForm(request.POST, instance=catalog)
    if form.is_valid():
        try:
            services.catalog_update(
                organization=request.organization, catalog=catalog, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Catalog saved."))
            return _redirect(request, _detail_url(catalog))
    catalog.refresh_from_db()
    return _detail_page(request, catalog, form=form, status=refused_status(request))


@require_GET
@admin_required
def catalog_candidates(request: VigiaRequest, code: UUID) -> HttpResponse:
    """The clients matching the release search box (the fragment htmx swaps in; without
    JavaScript the search reloads the catalog's page)."""
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    if not request.htmx:
        query = urlencode({"q": query_param(request)})
        return redirect(f"{_detail_url(catalog)}?{query}#release")
    context = {
        "catalog": catalog,
        "q": query_param(request),
        "candidates": selectors.catalog_client_candidates(
            organization=request.organization, catalog=catalog, query=query_param(request)
        ),
    }
    return render(request, f"{DETAIL_TEMPLATE}#candidates", context)


@require_http_methods(["GET", "POST"])
@admin_required
def catalog_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    if request.method == "GET":
        context = {
            "question": _("Delete this catalog and its documents?"),
            "subject": catalog.name,
            "button": _("Delete"),
            "back": _detail_url(catalog),
        }
        return render(request, "specialists/confirm.html", context)
    services.catalog_delete(organization=request.organization, catalog=catalog)
    messages.success(request, _("Catalog “%(name)s” deleted.") % {"name": catalog})
    return _redirect(request, reverse("catalogs:list"))


@require_POST
@admin_required
def catalog_move(request: VigiaRequest, code: UUID) -> HttpResponse:
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    services.catalog_move(
        organization=request.organization, catalog=catalog, direction=_direction(request)
    )
    return _redirect(request, reverse("catalogs:list"))


@require_POST
@admin_required
def catalog_release(request: VigiaRequest, code: UUID) -> HttpResponse:
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    client = client_get(organization=request.organization, code=request.POST.get("client"))
    services.catalog_release(organization=request.organization, catalog=catalog, clients=[client])
    messages.success(request, _("Released to “%(name)s”.") % {"name": client})
    return _redirect(request, f"{_detail_url(catalog)}#release")


@require_POST
@admin_required
def catalog_withdraw(request: VigiaRequest, code: UUID) -> HttpResponse:
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    client = client_get(organization=request.organization, code=request.POST.get("client"))
    services.catalog_withdraw(organization=request.organization, catalog=catalog, clients=[client])
    messages.success(request, _("Withdrawn from “%(name)s”.") % {"name": client})
    return _redirect(request, f"{_detail_url(catalog)}#release")


@require_POST
@admin_required
def document_add(request: VigiaRequest, code: UUID) -> HttpResponse:
    catalog = selectors.catalog_get(organization=request.organization, code=code)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                organization=request.organization,
                catalog=catalog,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                url=form.cleaned_data["url"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Document added."))
            return _redirect(request, f"{_detail_url(catalog)}#documents")
    return _detail_page(request, catalog, document_form=form, status=refused_status(request))


@require_http_methods(["GET", "POST"])
@admin_required
def document_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    document = selectors.document_get(organization=request.organization, code=code)
    back = f"{_detail_url(document.catalog)}#documents"
    if request.method == "GET":
        context = {
            "question": _("Delete this document?"),
            "subject": document.title,
            "button": _("Delete"),
            "back": back,
        }
        return render(request, "specialists/confirm.html", context)
    services.document_delete(organization=request.organization, document=document)
    messages.success(request, _("Document deleted."))
    return _redirect(request, back)


@require_POST
@admin_required
def document_move(request: VigiaRequest, code: UUID) -> HttpResponse:
    document = selectors.document_get(organization=request.organization, code=code)
    services.document_move(
        organization=request.organization, document=document, direction=_direction(request)
    )
    return _redirect(request, f"{_detail_url(document.catalog)}#documents")


@require_GET
@member_required
def document_download(request: VigiaRequest, code: UUID) -> HttpResponse:
    """A document's file, to a member of its organization only (never a public media URL):
    PDFs and images open in the browser, under the name they were uploaded with."""
    document = selectors.document_get(organization=request.organization, code=code)
    if not document.file:
        raise Http404
    suffix = "." + document.file.name.rsplit(".", 1)[-1].lower()
    content_type = services.CONTENT_TYPES.get(suffix, "application/octet-stream")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, filename=document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
