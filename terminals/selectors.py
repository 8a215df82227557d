from __future__ import annotations

from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from clients.models import Client
from tenancy.models import Organization
from terminals.figures import WINDOWS
from terminals.models import (
    AlertEmail,
    DeviceType,
    Episode,
    MaintenanceWindow,
    Terminal,
    in_maintenance,
)

# The terminal list's sorts: each one follows an index (models.Terminal.Meta), and ends on the
# id so that pages never overlap.
SORTS = {
    "identifier": ("identifier",),
    "last_signal": (F("last_heartbeat_at").desc(nulls_last=True), "id"),
    "-last_signal": (F("last_heartbeat_at").asc(nulls_first=True), "-id"),
    "outage": ("disconnected_since", "id"),
}


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
    client: Client | None = None,
    maintenance: bool = False,
    sort: str = "identifier",
) -> QuerySet[Terminal]:
    now = timezone.now()
    terminals = (
        Terminal.objects.for_org(organization)
        .select_related("device_type", "client")
        .annotate(
            in_maintenance=ExpressionWrapper(in_maintenance(now), output_field=BooleanField())
        )
    )
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
    if client is not None:
        terminals = terminals.filter(client=client)
    if maintenance:
        terminals = terminals.filter(in_maintenance(now))
    if sort == "outage":
        # Only a disconnected terminal has an outage to measure (the partial index).
        terminals = terminals.filter(disconnected_since__isnull=False)
    return terminals.order_by(*SORTS.get(sort, SORTS["identifier"]))


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


def episode_recent(*, organization: Organization, limit: int = 8) -> list[Episode]:
    return list(
        Episode.objects.for_org(organization)
        .select_related("terminal", "client", "acknowledged_by")
        .order_by("-started_at", "-id")[:limit]
    )


def terminal_alert_history(*, terminal: Terminal, limit: int = 20) -> list[Episode]:
    """The terminal's latest episodes, each with its e-mails (recipient, status, when) and
    its acknowledgement."""
    from django.db.models import Prefetch

    return list(
        Episode.objects.for_org(terminal.organization)
        .filter(terminal=terminal)
        .select_related("acknowledged_by")
        .prefetch_related(
            Prefetch("emails", queryset=AlertEmail.objects.order_by("kind", "recipient"))
        )
        .order_by("-started_at", "-id")[:limit]
    )


def terminal_timeline(
    *, terminal: Terminal, window: str = "7d", now: datetime | None = None
) -> list[Episode]:
    """The terminal's episodes that overlap the window, oldest first."""
    now = now or timezone.now()
    since = now - WINDOWS[window]
    return list(
        Episode.objects.for_org(terminal.organization)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since), terminal=terminal)
        .order_by("started_at", "id")
    )


def outages_longest(*, organization: Organization, limit: int = 10) -> list[Episode]:
    """Open episodes, the longest first, with who acknowledged them."""
    return list(
        Episode.objects.for_org(organization)
        .filter(ended_at__isnull=True)
        .select_related("terminal", "client", "acknowledged_by")
        .order_by("started_at", "id")[:limit]
    )


def maintenance_current(
    *,
    organization: Organization,
    terminal: Terminal | None = None,
    client: Client | None = None,
    now: datetime | None = None,
) -> list[MaintenanceWindow]:
    """The windows not over yet (running or planned) of a terminal (its own and its client's)
    or of a client."""
    now = now or timezone.now()
    windows = MaintenanceWindow.objects.for_org(organization).filter(ends_at__gt=now)
    if terminal is not None:
        scope = Q(terminal=terminal)
        if terminal.client_id:
            scope |= Q(client_id=terminal.client_id)
        windows = windows.filter(scope)
    elif client is not None:
        windows = windows.filter(client=client)
    return list(windows.select_related("terminal", "client", "created_by").order_by("starts_at"))


def maintenance_get(*, organization: Organization, code) -> MaintenanceWindow:
    """The organization's maintenance window with this code; 404 when missing or foreign."""
    return MaintenanceWindow.objects.select_related("terminal", "client").get_for_org_or_404(
        organization=organization, code=code
    )


def episode_get(*, organization: Organization, code) -> Episode:
    """The organization's disconnection episode with this code; 404 when missing or foreign."""
    return Episode.objects.select_related("terminal").get_for_org_or_404(
        organization=organization, code=code
    )
