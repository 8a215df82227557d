from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, trigger_client_event

from clients import services
from clients.forms import ClientForm, ClientSearchForm
from clients.models import Client
from clients.selectors import client_get, client_search_page
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, form_errors, refused_status

LIST_TEMPLATE = "clients/client_list.html"
FORM_TEMPLATE = "clients/client_form.html"
DELETE_TEMPLATE = "clients/client_delete.html"
# The results region listens for it and reloads itself with the current search.
CHANGED_EVENT = "clients:changed"
# Sent after an update on the client's page; its sections (terminals) reload themselves.
SAVED_EVENT = "client-saved"


def _page_number(request: VigiaRequest) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def _wants_fragment(request: VigiaRequest) -> bool:
    # Back/forward after a search asks for the whole page (hx-history="false").
    return bool(request.htmx) and not request.htmx.history_restore_request


def _gone(request: VigiaRequest) -> HttpResponse:
    """The answer for a client that is missing, deleted meanwhile, or another
    organization's: the same 404 in every case, saying what probably happened."""
    message = _("This client does not exist (any more): another operator may have deleted it.")
    if request.htmx:
        messages.error(request, message)
        return HttpResponseClientRedirect(reverse("clients:list"))
    return render(request, "clients/client_gone.html", {"message": message}, status=404)


def _modal_done(request: VigiaRequest) -> HttpResponse:
    """After a delete in the list's modal: close it, refresh the list in place, show the
    toast."""
    response = render(request, "clients/_toasts_oob.html")
    reswap(response, "none")
    # Events fire in this order on the form inside the modal: closing the modal first would
    # detach the form, and the change would never bubble up to the list.
    trigger_client_event(response, CHANGED_EVENT)
    trigger_client_event(response, "vigia:close-modal")
    return response


@require_GET
@member_required
def client_list(request: VigiaRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET)
    page = client_search_page(
        organization=request.organization,
        project=request.project,
        query=form.query(),
        page=_page_number(request),
    )
    context = {"form": form, "page": page}
    if _wants_fragment(request):
        return render(request, f"{LIST_TEMPLATE}#results", context)
    return render(request, LIST_TEMPLATE, context)


@require_http_methods(["GET", "POST"])
@member_required
def client_create(request: VigiaRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                organization=request.organization,
                actor=request.user,
                project=request.project,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Client “%(name)s” created.") % {"name": client})
            # On to the new client's page, where its terminals and contacts are added; a
            # redirect also leaves no filled form behind to be sent twice.
            url = reverse("clients:edit", args=[client.code])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {"form": form, "client": None}
    status = refused_status(request) if request.method == "POST" else 200
    if request.htmx:
        # The first GET opens the modal; a post with errors swaps only the form inside it.
        partial = "form" if request.method == "POST" else "modal"
        return render(request, f"{FORM_TEMPLATE}#{partial}", context, status=status)
    return render(request, FORM_TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@member_required
def client_edit(request: VigiaRequest, code: UUID) -> HttpResponse:
    try:
        client = client_get(organization=request.organization, code=code)
    except Http404:
        return _gone(request)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(
                organization=request.organization,
                client=client,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        except Client.DoesNotExist:
            return _gone(request)
        else:
            messages.success(request, _("Client “%(name)s” updated.") % {"name": client})
            if not request.htmx:
                return redirect("clients:edit", code=client.code)
            response = render(
                request,
                f"{FORM_TEMPLATE}#form",
                {"form": ClientForm(instance=client), "client": client},
            )
            return trigger_client_event(response, SAVED_EVENT)
    context = {"form": form, "client": client}
    status = refused_status(request) if request.method == "POST" else 200
    if request.htmx:
        return render(request, f"{FORM_TEMPLATE}#form", context, status=status)
    return render(request, FORM_TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@member_required
def client_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    try:
        client = client_get(organization=request.organization, code=code)
    except Http404:
        return _gone(request)
    if request.method == "POST":
        try:
            services.client_delete(organization=request.organization, client=client)
        except Client.DoesNotExist:
            return _gone(request)
        messages.success(request, _("Client “%(name)s” deleted.") % {"name": client})
        if request.htmx:
            return _modal_done(request)
        return redirect("clients:list")
    context = {"client": client}
    if request.htmx:
        return render(request, f"{DELETE_TEMPLATE}#modal", context)
    return render(request, DELETE_TEMPLATE, context)
