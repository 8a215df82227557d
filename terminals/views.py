from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.selectors import client_get
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest, form_errors, next_url, refused_status
from terminals import charts, figures, selectors, services
from terminals.forms import (
    AcknowledgeForm,
    DeviceTypeForm,
    MaintenanceForm,
    TerminalFilterForm,
    TerminalForm,
)
from terminals.models import DeviceType, Episode, Terminal

PAGE_SIZE = 25


def _window(request: VigiaRequest, default: str) -> str:
    window = request.GET.get("window", "")
    return window if window in figures.WINDOWS else default


def _windows(request: VigiaRequest, current: str) -> list[dict]:
    """The window switch's links: this page with only `window` changed."""
    links = []
    for key, label in figures.WINDOW_LABELS.items():
        query = request.GET.copy()
        query["window"] = key
        links.append({"key": key, "label": label, "query": query.urlencode(), "on": key == current})
    return links


@require_GET
@member_required
def dashboard(request: VigiaRequest) -> HttpResponse:
    organization = request.organization
    window = _window(request, "24h")
    history = figures.fleet_history(organization=organization, window=window)
    context = {
        "terminal_counts": figures.terminal_status_counts(organization=organization),
        "recent_episodes": selectors.episode_recent(organization=organization),
        "availability": figures.availability_summary(organization=organization),
        "outages": selectors.outages_longest(organization=organization),
        "fleet": charts.fleet_bars(points=history, window=window),
        "window": window,
        "windows": _windows(request, window),
    }
    template = "terminals/dashboard.html"
    if request.htmx:
        template += "#terminal_glance"
    return render(request, template, context)


@require_GET
@member_required
def terminal_list(request: VigiaRequest) -> HttpResponse:
    organization = request.organization
    filters = TerminalFilterForm(request.GET, organization=organization)
    filters.is_valid()
    data = filters.cleaned_data
    terminals = selectors.terminal_search(
        organization=organization,
        query=data.get("q", ""),
        status=data.get("status", ""),
        device_type=data.get("device_type"),
        client=data.get("client"),
        maintenance=data.get("maintenance", False),
        sort=data.get("sort") or "identifier",
    )
    page = Paginator(terminals, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "sort": data.get("sort") or "identifier",
        "sort_query": sort_query.urlencode(),
    }
    template = "terminals/terminal_list.html"
    if request.htmx and request.htmx.target == "terminal-results":
        template += "#results"
    return render(request, template, context)


def _terminal_form(
    request: VigiaRequest, form: TerminalForm, terminal: Terminal | None = None
) -> Terminal | HttpResponse:
    """The saved terminal, or the form page again (with the services' errors on it)."""
    if request.method == "POST" and form.is_valid():
        try:
            if terminal is None:
                return services.terminal_create(
                    organization=request.organization, **form.service_fields()
                )
            return services.terminal_update(
                organization=request.organization, terminal=terminal, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors(form, exc)
    return render(
        request,
        "terminals/terminal_form.html",
        {"form": form, "terminal": terminal},
        status=refused_status(request) if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def terminal_create(request: VigiaRequest) -> HttpResponse:
    form = TerminalForm(request.POST or None, organization=request.organization)
    saved = _terminal_form(request, form)
    if isinstance(saved, HttpResponse):
        return saved
    messages.success(request, _("Terminal %(name)s created.") % {"name": saved})
    return redirect("terminals:detail", code=saved.code)


def _terminal_page(
    request: VigiaRequest,
    terminal: Terminal,
    *,
    acknowledge: AcknowledgeForm | None = None,
    acknowledging: Episode | None = None,
    maintenance: MaintenanceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The terminal page, with a refused form shown again where it was filled in."""
    organization = request.organization
    window = _window(request, "7d")
    episodes = selectors.terminal_timeline(terminal=terminal, window=window)
    context = {
        "terminal": terminal,
        "episodes": selectors.terminal_alert_history(terminal=terminal),
        "availability": figures.availability_summary(organization=organization, terminal=terminal),
        "timeline": charts.timeline(episodes=episodes, window=window),
        "window": window,
        "windows": _windows(request, window),
        "maintenance_windows": selectors.maintenance_current(
            organization=organization, terminal=terminal
        ),
        "maintenance_form": maintenance or MaintenanceForm(),
        "acknowledge_form": acknowledge,
        "acknowledging": acknowledging,
    }
    return render(request, "terminals/terminal_detail.html", context, status=status)


@require_GET
@member_required
def terminal_detail(request: VigiaRequest, code: UUID) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    return _terminal_page(request, terminal)


@require_POST
@member_required
def episode_acknowledge(request: VigiaRequest, code: UUID) -> HttpResponse:
    episode = selectors.episode_get(organization=request.organization, code=code)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.episode_acknowledge(
                organization=request.organization,
                episode=episode,
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Disconnection of %(name)s acknowledged.") % {"name": episode.terminal}
            )
            return redirect(
                next_url(request, reverse("terminals:detail", args=[episode.terminal.code]))
            )
    return _terminal_page(
        request,
        episode.terminal,
        acknowledge=form,
        acknowledging=episode,
        status=refused_status(request),
    )


@require_POST
@member_required
def terminal_maintenance(request: VigiaRequest, code: UUID) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    form = MaintenanceForm(request.POST)
    if _maintenance_save(request, form, terminal=terminal):
        return redirect("terminals:detail", code=terminal.code)
    return _terminal_page(request, terminal, maintenance=form, status=refused_status(request))


@require_POST
@member_required
def client_maintenance(request: VigiaRequest, client_code: UUID) -> HttpResponse:
    client = client_get(organization=request.organization, code=client_code)
    form = MaintenanceForm(request.POST)
    back = next_url(request, reverse("terminals:client_section", args=[client.code]))
    if _maintenance_save(request, form, client=client):
        return redirect(back)
    # The form's own page: the client page that embedded it belongs to the clients app.
    context = {"client": client, "form": form, "back": back}
    return render(
        request, "terminals/maintenance_form.html", context, status=refused_status(request)
    )


def _maintenance_save(request: VigiaRequest, form: MaintenanceForm, **scope) -> bool:
    if not form.is_valid():
        return False
    try:
        services.maintenance_create(
            organization=request.organization, actor=request.user, **form.cleaned_data, **scope
        )
    except ValidationError as exc:
        form_errors(form, exc)
        return False
    messages.success(request, _("Maintenance window saved: no disconnection alert meanwhile."))
    return True


@require_POST
@member_required
def maintenance_end(request: VigiaRequest, code: UUID) -> HttpResponse:
    window = selectors.maintenance_get(organization=request.organization, code=code)
    services.maintenance_end(organization=request.organization, window=window)
    messages.success(request, _("Maintenance window ended."))
    if window.terminal_id:
        fallback = reverse("terminals:detail", args=[window.terminal.code])
    else:
        fallback = reverse("terminals:client_section", args=[window.client.code])
    return redirect(next_url(request, fallback))


@require_http_methods(["GET", "POST"])
@member_required
def terminal_edit(request: VigiaRequest, code: UUID) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    form = TerminalForm(request.POST or None, instance=terminal, organization=request.organization)
    saved = _terminal_form(request, form, terminal)
    if isinstance(saved, HttpResponse):
        return saved
    messages.success(request, _("Terminal %(name)s updated.") % {"name": saved})
    return redirect("terminals:detail", code=saved.code)


@require_http_methods(["GET", "POST"])
@member_required
def terminal_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    if request.method == "POST":
        services.terminal_delete(organization=request.organization, terminal=terminal)
        messages.success(request, _("Terminal %(name)s deleted.") % {"name": terminal})
        return redirect("terminals:list")
    return render(request, "terminals/terminal_delete.html", {"terminal": terminal})


@require_GET
@member_required
def client_terminals(request: VigiaRequest, client_code: UUID) -> HttpResponse:
    client = client_get(organization=request.organization, code=client_code)
    template = "terminals/client_terminals.html"
    if request.htmx:
        template += "#section"
    terminals = selectors.terminals_for_client(client=client)
    return render(request, template, {"client": client, "terminals": terminals})


@require_POST
@member_required
def terminal_link(request: VigiaRequest, code: UUID, client_code: UUID) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    client = client_get(organization=request.organization, code=client_code)
    linked = request.POST.get("linked") == "on"
    back = next_url(request, reverse("terminals:client_section", args=[client.code]))
    try:
        services.terminal_set_link(
            organization=request.organization,
            terminal=terminal,
            client=client,
            linked=linked,
            move=request.POST.get("move") == "on",
        )
    except ValidationError as exc:
        if exc.code == "move_unconfirmed" and not request.htmx:
            # With JavaScript off nothing asked yet: this page does, and posts `move` back.
            context = {"terminal": terminal, "client": client, "question": exc.messages[0]}
            return render(request, "terminals/terminal_move.html", {**context, "back": back})
        messages.error(request, exc.messages[0])
    else:
        if linked:
            messages.success(request, _("Terminal %(name)s linked.") % {"name": terminal})
        else:
            messages.success(request, _("Terminal %(name)s unlinked.") % {"name": terminal})
    if request.htmx:
        return render(
            request,
            "terminals/client_terminals.html#row",
            {"client": client, "terminal": terminal, "with_toasts": True},
        )
    return redirect(back)


@require_GET
@member_required
def device_type_list(request: VigiaRequest) -> HttpResponse:
    device_types = selectors.device_type_list(organization=request.organization)
    return render(request, "terminals/device_type_list.html", {"device_types": device_types})


def _device_type_form(
    request: VigiaRequest, form: DeviceTypeForm, device_type: DeviceType | None = None
) -> DeviceType | HttpResponse:
    """The saved device type, or the form page again (with the services' errors on it)."""
    if request.method == "POST" and form.is_valid():
        try:
            if device_type is None:
                return services.device_type_create(
                    organization=request.organization, **form.cleaned_data
                )
            return services.device_type_update(
                organization=request.organization, device_type=device_type, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
    return render(
        request,
        "terminals/device_type_form.html",
        {"form": form, "device_type": device_type},
        status=refused_status(request) if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def device_type_create(request: VigiaRequest) -> HttpResponse:
    saved = _device_type_form(request, DeviceTypeForm(request.POST or None))
    if isinstance(saved, HttpResponse):
        return saved
    messages.success(request, _("Device type %(name)s created.") % {"name": saved})
    return redirect("terminals:device_types")


@require_http_methods(["GET", "POST"])
@admin_required
def device_type_edit(request: VigiaRequest, code: UUID) -> HttpResponse:
    device_type = selectors.device_type_get(organization=request.organization, code=code)
    form = DeviceTypeForm(request.POST or None, instance=device_type)
    saved = _device_type_form(request, form, device_type)
    if isinstance(saved, HttpResponse):
        return saved
    messages.success(request, _("Device type %(name)s updated.") % {"name": saved})
    return redirect("terminals:device_types")


@require_http_methods(["GET", "POST"])
@admin_required
def device_type_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    device_type = selectors.device_type_get(organization=request.organization, code=code)
    if request.method == "POST":
        try:
            services.device_type_delete(organization=request.organization, device_type=device_type)
        except ProtectedError:
            messages.error(
                request,
                _("Device type %(name)s is still used by terminals; change them first.")
                % {"name": device_type},
            )
        else:
            messages.success(request, _("Device type %(name)s deleted.") % {"name": device_type})
        return redirect("terminals:device_types")
    return render(request, "terminals/device_type_delete.html", {"device_type": device_type})
