from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.selectors import owner_client_get
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest, next_url
from terminals import selectors, services
from terminals.forms import DeviceTypeForm, TerminalFilterForm, TerminalForm

PAGE_SIZE = 25


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
    )
    page = Paginator(terminals, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    template = "terminals/terminal_list.html"
    if request.htmx and request.htmx.target == "terminal-results":
        template += "#results"
    return render(request, template, context)


def _terminal_form_page(request: VigiaRequest, form: TerminalForm, terminal=None) -> HttpResponse:
    return render(
        request,
        "terminals/terminal_form.html",
        {"form": form, "terminal": terminal},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def terminal_create(request: VigiaRequest) -> HttpResponse:
    form = TerminalForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        terminal = services.terminal_create(
            organization=request.organization, **form.service_fields()
        )
        messages.success(request, _("Terminal %(name)s created.") % {"name": terminal})
        return redirect("terminals:detail", code=terminal.code)
    return _terminal_form_page(request, form)


@require_GET
@member_required
def terminal_detail(request: VigiaRequest, code) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    episodes = selectors.terminal_alert_history(terminal=terminal)
    return render(
        request, "terminals/terminal_detail.html", {"terminal": terminal, "episodes": episodes}
    )


@require_http_methods(["GET", "POST"])
@member_required
def terminal_edit(request: VigiaRequest, code) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    form = TerminalForm(request.POST or None, instance=terminal, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        services.terminal_update(terminal=terminal, **form.service_fields())
        messages.success(request, _("Terminal %(name)s updated.") % {"name": terminal})
        return redirect("terminals:detail", code=terminal.code)
    return _terminal_form_page(request, form, terminal)


@require_http_methods(["GET", "POST"])
@member_required
def terminal_delete(request: VigiaRequest, code) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    if request.method == "POST":
        services.terminal_delete(terminal=terminal)
        messages.success(request, _("Terminal %(name)s deleted.") % {"name": terminal})
        return redirect("terminals:list")
    return render(request, "terminals/terminal_delete.html", {"terminal": terminal})


@require_GET
@member_required
def client_terminals(request: VigiaRequest, client_code) -> HttpResponse:
    client = owner_client_get(organization=request.organization, code=client_code)
    template = "terminals/client_terminals.html"
    if request.htmx:
        template += "#section"
    terminals = selectors.terminals_for_client(client=client)
    return render(request, template, {"client": client, "terminals": terminals})


@require_POST
@member_required
def terminal_link(request: VigiaRequest, code, client_code) -> HttpResponse:
    terminal = selectors.terminal_get(organization=request.organization, code=code)
    client = owner_client_get(organization=request.organization, code=client_code)
    linked = request.POST.get("linked") == "on"
    try:
        services.terminal_set_link(terminal=terminal, client=client, linked=linked)
    except ValueError:
        messages.error(request, _("This terminal's WVDS e-mail differs from the client's."))
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
    return redirect(next_url(request, reverse("terminals:client_section", args=[client.code])))


@require_GET
@member_required
def device_type_list(request: VigiaRequest) -> HttpResponse:
    device_types = selectors.device_type_list(organization=request.organization)
    return render(request, "terminals/device_type_list.html", {"device_types": device_types})


@require_http_methods(["GET", "POST"])
@admin_required
def device_type_create(request: VigiaRequest) -> HttpResponse:
    form = DeviceTypeForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        device_type = services.device_type_create(
            organization=request.organization, **form.cleaned_data
        )
        messages.success(request, _("Device type %(name)s created.") % {"name": device_type})
        return redirect("terminals:device_types")
    return render(
        request,
        "terminals/device_type_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def device_type_edit(request: VigiaRequest, code) -> HttpResponse:
    device_type = selectors.device_type_get(organization=request.organization, code=code)
    form = DeviceTypeForm(
        request.POST or None, instance=device_type, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        services.device_type_update(device_type=device_type, **form.cleaned_data)
        messages.success(request, _("Device type %(name)s updated.") % {"name": device_type})
        return redirect("terminals:device_types")
    return render(
        request,
        "terminals/device_type_form.html",
        {"form": form, "device_type": device_type},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def device_type_delete(request: VigiaRequest, code) -> HttpResponse:
    device_type = selectors.device_type_get(organization=request.organization, code=code)
    if request.method == "POST":
        try:
            services.device_type_delete(device_type=device_type)
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
