from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit
from uuid import UUID

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, trigger_client_event

from clients import selectors, services
from clients.forms import (
    ClientForm,
    ClientProfileForm,
    ClientSearchForm,
    FeedbackForm,
    catalog_form_class,
)
from clients.geocoding import place_lookup
from clients.models import Client
from clients.selectors import client_get, client_search, client_search_page
from tenancy import group_projects
from tenancy.association import (
    AssociationList,
    association_context,
    association_mode,
    association_post,
)
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest, form_errors, query_param, refused_status

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


TAB_LABELS = (
    ("details", gettext_lazy("Details")),
    ("address", gettext_lazy("Address")),
    ("additional", gettext_lazy("Additional")),
    ("companies", gettext_lazy("Companies")),
    ("groups", gettext_lazy("Groups")),
    ("services", gettext_lazy("Services")),
    ("feedback", gettext_lazy("Feedback")),
)
PROFILE_TABS = ("details", "address", "additional")
# The tabs open once the client exists; the first three associate it with list entries.
RELATION_TABS = ("companies", "groups", "services", "feedback")
ASSOCIATION_TABS = ("companies", "groups", "services")


def _tab(request: VigiaRequest, client: Client | None, tab: str | None = None) -> str:
    tab = tab or request.GET.get("tab", "details")
    allowed = PROFILE_TABS + (RELATION_TABS if client else ())
    return tab if tab in allowed else "details"


def _tab_url(client: Client, tab: str) -> str:
    url = reverse("clients:edit", args=[client.code])
    return url if tab == "details" else f"{url}?tab={tab}"


def _render_profile(
    request: VigiaRequest,
    *,
    client: Client | None,
    tab: str,
    form: ClientProfileForm | None = None,
    status: int = 200,
    **extra,
) -> HttpResponse:
    """The client's page on `tab` (only the tab panel for htmx); `extra` overrides the
    tab's context (a refused form)."""
    organization = request.organization
    context = {
        "client": client,
        "tab": tab,
        "tab_labels": TAB_LABELS,
        "profile_tabs": PROFILE_TABS,
        **extra,
    }
    if tab in PROFILE_TABS:
        form = form or ClientProfileForm(instance=client, organization=organization)
        context.update(
            form=form,
            error_tabs=form.tabs_with_errors() if form.is_bound else [],
            photo_limit=settings.SPECIALIST_PHOTO_MAX_BYTES,
            # What choosing a location fills in on the Address tab, by the option's value.
            location_addresses={
                str(location.code): location.address_values()
                for location in form.fields["location"].queryset
            },
            map_settings={
                "tiles": settings.CLIENT_MAP_TILE_URL,
                "search": reverse("clients:place_search"),
            },
        )
    elif tab in ASSOCIATION_TABS:
        context["associated"] = selectors.catalog_associated(
            organization=organization, kind=tab, client=client
        )
        context["choices"] = selectors.catalog_unassociated(
            organization=organization, kind=tab, client=client
        )
    elif tab == "feedback":
        context.setdefault("feedback_form", FeedbackForm())
        context["feedback"] = selectors.feedback_list(organization=organization, client=client)
    template = FORM_TEMPLATE
    if _wants_fragment(request) and not request.htmx.boosted:
        template += "#tab-panel"
    return render(request, template, context, status=status)


def _back_to_tab(request: VigiaRequest, client: Client, tab: str, **refused) -> HttpResponse:
    """After a change on a relation tab: htmx gets the tab panel, a plain post is sent back
    to the tab; a refused form (in `refused`) is shown again with its errors."""
    if refused:
        return _render_profile(
            request, client=client, tab=tab, status=refused_status(request), **refused
        )
    if request.htmx:
        return _render_profile(request, client=client, tab=tab)
    return redirect(_tab_url(client, tab))


@require_GET
@member_required
def client_list(request: VigiaRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET)
    # Association mode lists the organization's clients outside the selected project; there
    # is none without a project.
    associating = association_mode(request)
    page = client_search_page(
        organization=request.organization,
        project=request.project,
        query=form.query(),
        page=_page_number(request),
        outside=associating,
        b2b=request.GET.get("b2b", ""),
    )
    context = {
        "form": form,
        "page": page,
        "associating": associating,
        "association": association_context(request, CLIENT_ASSOCIATION),
    }
    if _wants_fragment(request):
        return render(request, f"{LIST_TEMPLATE}#results", context)
    return render(request, LIST_TEMPLATE, context)


def _association_matching(request: VigiaRequest, data):
    return client_search(
        organization=request.organization,
        query=ClientSearchForm(data).query(),
        b2b=data.get("b2b", ""),
    )


CLIENT_ASSOCIATION = AssociationList(
    model=Client, namespace="clients", matching=_association_matching
)


@require_POST
@member_required
def client_association(request: VigiaRequest, associate: bool) -> HttpResponse:
    """Associar / Desassociar of the list's ticked clients, or of every client its search
    matches, with the selected project."""
    return association_post(request, CLIENT_ASSOCIATION, associate=associate)


@require_http_methods(["GET", "POST"])
@member_required
def client_create(request: VigiaRequest) -> HttpResponse:
    # The list's modal asks for the main fields only, the page (without JavaScript, or the
    # "Novo" entry) shows the profile tabs; both lead to the new client's page.
    in_modal = bool(request.htmx)
    if in_modal:
        form = ClientForm(request.POST or None)
    else:
        form = ClientProfileForm(
            request.POST or None, request.FILES or None, organization=request.organization
        )
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data if in_modal else form.service_kwargs()
        try:
            client = services.client_create(
                organization=request.organization,
                actor=request.user,
                project=request.project,
                **fields,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Client “%(name)s” created.") % {"name": client})
            # On to the new client's page, where its terminals and contacts are added; a
            # redirect also leaves no filled form behind to be sent twice.
            url = reverse("clients:edit", args=[client.code])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    status = refused_status(request) if request.method == "POST" else 200
    if in_modal:
        # The first GET opens the modal; a post with errors swaps only the form inside it.
        partial = "form" if request.method == "POST" else "modal"
        context = {"form": form, "client": None}
        return render(request, f"{FORM_TEMPLATE}#{partial}", context, status=status)
    tab = (form.tabs_with_errors() or [_tab(request, None)])[0]
    return _render_profile(request, client=None, tab=tab, form=form, status=status)


def _map_tiles_allowed(view):
    """The map's tiles are the only images loaded from another origin, on the client's page
    only; the tile server is read when the page is asked for (a setting)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        tiles = urlsplit(settings.CLIENT_MAP_TILE_URL)
        origins = [f"{tiles.scheme}://{tiles.netloc}"] if tiles.scheme and tiles.netloc else []
        return csp_update({"img-src": origins})(view)(request, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@member_required
@_map_tiles_allowed
def client_edit(request: VigiaRequest, code: UUID) -> HttpResponse:
    try:
        client = client_get(organization=request.organization, code=code)
    except Http404:
        return _gone(request)
    if request.method == "GET":
        return _render_profile(request, client=client, tab=_tab(request, client))
    form = ClientProfileForm(
        request.POST, request.FILES, instance=client, organization=request.organization
    )
    if form.is_valid():
        try:
            services.client_update(
                organization=request.organization,
                client=client,
                actor=request.user,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        except Client.DoesNotExist:
            return _gone(request)
        else:
            messages.success(request, _("Client “%(name)s” updated.") % {"name": client})
            tab = _tab(request, client, request.POST.get("tab"))
            if not request.htmx:
                return redirect(_tab_url(client, tab))
            response = _render_profile(request, client=client, tab=tab)
            return trigger_client_event(response, SAVED_EVENT)
    # The header shows what is stored, not the refused input.
    client.refresh_from_db()
    tab = (form.tabs_with_errors() or ["details"])[0]
    return _render_profile(
        request, client=client, tab=tab, form=form, status=refused_status(request)
    )


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


# The relation tabs: the client's companies, groups and services, from the organization's lists.


@require_GET
@member_required
def relation_choices(request: VigiaRequest, code: UUID, kind: str) -> HttpResponse:
    if kind not in ASSOCIATION_TABS:
        raise Http404
    client = client_get(organization=request.organization, code=code)
    choices = selectors.catalog_unassociated(
        organization=request.organization, kind=kind, client=client, q=query_param(request)
    )
    return render(
        request,
        f"{FORM_TEMPLATE}#association-choices",
        {"client": client, "tab": kind, "choices": choices},
    )


@require_http_methods(["GET", "POST"])
@member_required
def relation_add(request: VigiaRequest, code: UUID, kind: str, item_code: UUID) -> HttpResponse:
    """Associates the item. A group with projects the client is not in asks first whether
    the client joins them too (the dialog posts back here with `with_projects`)."""
    if kind not in ASSOCIATION_TABS:
        raise Http404
    client = client_get(organization=request.organization, code=code)
    item = selectors.catalog_get(organization=request.organization, kind=kind, code=item_code)
    return group_projects.association_add(
        request,
        member=client,
        item=item,
        is_group=kind == "groups",
        tab_url=_tab_url(client, kind),
        associate=lambda with_projects: services.client_associate(
            organization=request.organization, client=client, item=item, with_projects=with_projects
        ),
        back=lambda: _back_to_tab(request, client, kind),
    )


@require_POST
@member_required
def relation_remove(request: VigiaRequest, code: UUID, kind: str, item_code: UUID) -> HttpResponse:
    if kind not in ASSOCIATION_TABS:
        raise Http404
    client = client_get(organization=request.organization, code=code)
    item = selectors.catalog_get(organization=request.organization, kind=kind, code=item_code)
    services.client_dissociate(organization=request.organization, client=client, item=item)
    return _back_to_tab(request, client, kind)


@require_POST
@member_required
def feedback_add(request: VigiaRequest, code: UUID) -> HttpResponse:
    client = client_get(organization=request.organization, code=code)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.client_feedback_create(
                organization=request.organization,
                client=client,
                author=request.user,
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _back_to_tab(request, client, "feedback")
    return _back_to_tab(request, client, "feedback", feedback_form=form)


@require_GET
@member_required
def place_search(request: VigiaRequest) -> HttpResponse:
    """The map's search box: the geocoder's places, or the organization's own when the
    geocoder cannot be reached."""
    places, from_geocoder = place_lookup(
        organization=request.organization, query=query_param(request)
    )
    return JsonResponse({"results": places, "geocoder": from_geocoder})


# The lists of the client's page (locations, companies, services, client groups): managed by
# the organization's admins, on the specialists' catalog screen layout.

CATALOG_LABELS = (
    ("locations", gettext_lazy("Locations")),
    ("companies", gettext_lazy("Companies")),
    ("services", gettext_lazy("Services")),
    ("groups", gettext_lazy("Client groups")),
)
CATALOG_URLS = {
    "list": "clients:catalog",
    "save": "clients:catalog_save",
    "delete": "clients:catalog_delete",
}


def _catalog_page(
    request: VigiaRequest, kind: str, form=None, editing=None, status: int = 200
) -> HttpResponse:
    if form is None:
        form_class = catalog_form_class(selectors.catalog_model(kind))
        form = form_class(instance=editing, organization=request.organization)
    context = {
        "kind": kind,
        "kind_labels": CATALOG_LABELS,
        "urls": CATALOG_URLS,
        "items": selectors.catalog_list(
            organization=request.organization, kind=kind, q=query_param(request)
        ),
        "q": query_param(request),
        "form": form,
        "editing": editing,
    }
    return render(request, "clients/catalog.html", context, status=status)


@require_GET
@admin_required
def catalog_list(request: VigiaRequest, kind: str) -> HttpResponse:
    selectors.catalog_model(kind)
    editing = None
    if edit := request.GET.get("edit"):
        editing = selectors.catalog_get(organization=request.organization, kind=kind, code=edit)
    return _catalog_page(request, kind, editing=editing)


@require_POST
@admin_required
def catalog_save(request: VigiaRequest, kind: str) -> HttpResponse:
    model = selectors.catalog_model(kind)
    editing = None
    if code := request.POST.get("code"):
        editing = selectors.catalog_get(organization=request.organization, kind=kind, code=code)
    form = catalog_form_class(model)(
        request.POST, instance=editing, organization=request.organization
    )
    if form.is_valid():
        try:
            services.catalog_save(
                organization=request.organization,
                instance=editing or model(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            url = reverse("clients:catalog", kwargs={"kind": kind})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _catalog_page(request, kind, form=form, editing=editing, status=refused_status(request))


@require_http_methods(["GET", "POST"])
@admin_required
def catalog_delete(request: VigiaRequest, kind: str, code: UUID) -> HttpResponse:
    item = selectors.catalog_get(organization=request.organization, kind=kind, code=code)
    back = reverse("clients:catalog", kwargs={"kind": kind})
    if request.method == "GET":
        context = {
            "question": _("Delete it? It is removed from every client who has it."),
            "subject": item.name,
            "button": _("Delete"),
            "back": back,
        }
        return render(request, "specialists/confirm.html", context)
    services.catalog_delete(organization=request.organization, instance=item)
    messages.success(request, _("Deleted."))
    return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
