from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from clients.models import Client
from tenancy.models import Organization
from terminals.models import AlertEmail, DeviceType, Episode, Terminal


def terminal_get(*, organization: Organization, code) -> Terminal:
    """The organization's terminal with this code; 404 when missing or foreign."""
    return Terminal.objects.select_related("device_type", "client").get_for_org_or_404(
        organization=organization, code=code
    )


def device_type_get(*, organization: Organization, code) -> DeviceType:
    """The organization's device type with this code; 404 when missing or foreign."""
    return DeviceType.objects.get_for_org_or_404(organization=organization, code=code)


def device_type_list(*, organization: Organization) -> QuerySet[DeviceType]:
    return (
        DeviceType.objects.for_org(organization)
        .annotate(terminal_count=Count("terminals"))
        .order_by("name")
    )


def terminal_search(
    *,
    organization: Organization,
    query: str = "",
    status: str = "",
    device_type: DeviceType | None = None,
) -> QuerySet[Terminal]:
    terminals = Terminal.objects.for_org(organization).select_related("device_type", "client")
    query = query.strip()
    if query:
        terminals = terminals.filter(
            Q(identifier__icontains=query)
            | Q(name__icontains=query)
            | Q(client__razao_social__icontains=query)
            | Q(client__nome_fantasia__icontains=query)
        )
    if status in Terminal.Status.values:
        terminals = terminals.filter(status=status)
    if device_type is not None:
        terminals = terminals.filter(device_type=device_type)
    return terminals.order_by("identifier")


def terminal_api_list(
    *, organization: Organization, status: str | None, after: str, limit: int
) -> list[Terminal]:
    terminals = Terminal.objects.for_org(organization).select_related("device_type", "client")
    if status:
        terminals = terminals.filter(status=status)
    if after:
        terminals = terminals.filter(identifier__gt=after)
    return list(terminals.order_by("identifier")[:limit])


def terminals_for_client(*, client: Client) -> list[Terminal]:
    """The terminals the client page offers for linking: same organization, same WVDS
    e-mail (stored lower-cased, so the index answers)."""
    email = (client.email_wvds or "").strip().lower()
    if not email:
        return []
    return list(
        Terminal.objects.for_org(client.organization)
        .filter(email_wvds=email)
        .select_related("device_type", "client")
        .order_by("name", "identifier")
    )


def terminal_status_counts(*, organization: Organization) -> dict[str, int]:
    counts = dict.fromkeys(Terminal.Status.values, 0)
    rows = (
        Terminal.objects.for_org(organization)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    counts.update(dict(rows))
    counts["total"] = sum(counts.values())
    return counts


def episode_recent(*, organization: Organization, limit: int = 8) -> list[Episode]:
    return list(
        Episode.objects.for_org(organization)
        .select_related("terminal", "client")
        .order_by("-started_at", "-id")[:limit]
    )


def terminal_alert_history(*, terminal: Terminal, limit: int = 20) -> list[Episode]:
    """The terminal's latest episodes, each with its e-mails (recipient, status, when)."""
    from django.db.models import Prefetch

    return list(
        Episode.objects.for_org(terminal.organization)
        .filter(terminal=terminal)
        .prefetch_related(
            Prefetch("emails", queryset=AlertEmail.objects.order_by("kind", "recipient"))
        )
        .order_by("-started_at", "-id")[:limit]
    )
