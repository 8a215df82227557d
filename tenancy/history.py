"""The "History" of a record and of the organization: a fragment each page loads (htmx) or
links to (a page of its own without JavaScript). Entries come from tenancy.audit."""

from __future__ import annotations

from django.apps import apps
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from tenancy.audit import history_page
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest

# The records with a history page: model label → the URL's word (and the URL's name,
# history_<model_name>).
RECORDS = {
    "clients.Client": "cliente",
    "contacts.Contact": "contato",
    "terminals.Terminal": "terminal",
    "terminals.DeviceType": "tipo-de-equipamento",
    "specialists.Specialist": "especialista",
}


def history_url_name(label: str) -> str:
    return "history_" + label.rsplit(".", 1)[1].lower()


def _render(request: VigiaRequest, obj, url: str) -> HttpResponse:
    page = history_page(obj=obj, number=request.GET.get("page"))
    context = {"page": page, "history_url": url, "record": obj}
    if request.htmx:
        return render(request, "tenancy/_history.html", context)
    return render(request, "tenancy/history.html", context)


@require_GET
@member_required
def record_history(request: VigiaRequest, code, label: str) -> HttpResponse:
    model = apps.get_model(label)
    # Inside the organization: another organization's record is a 404 like a missing one.
    obj = model._default_manager.get_for_org_or_404(organization=request.organization, code=code)
    return _render(request, obj, reverse(history_url_name(label), args=[code]))


@require_GET
@admin_required
def organization_history(request: VigiaRequest) -> HttpResponse:
    """The organization's own entries: its settings, imports, logins, lockouts, tokens."""
    return _render(request, request.organization, reverse("organization_history"))


urlpatterns = [
    path("organizacao/", organization_history, name="organization_history"),
    *(
        path(f"{word}/<uuid:code>/", record_history, {"label": label}, name=history_url_name(label))
        for label, word in RECORDS.items()
    ),
]
