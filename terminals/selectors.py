from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.models import Organization
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


# The windows the console shows, shortest first; the widest one bounds every query below.
WINDOWS: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
WINDOW_LABELS = {"24h": _("24 h"), "7d": _("7 days"), "30d": _("30 days")}


@dataclass(frozen=True)
class Availability:
    """Share of the time the terminals were up in each window (1.0 = never down), and the
    downtime it was computed from."""

    terminals: int
    downtime: dict[str, timedelta]
    ratio: dict[str, float | None]

    def rows(self) -> list[tuple[str, str, float | None, timedelta]]:
        return [(key, WINDOW_LABELS[key], self.ratio[key], self.downtime[key]) for key in WINDOWS]


def _overlap(since: datetime, now: datetime) -> Sum:
    """Total time the episodes spent inside [since, now]: SQL over the episode rows, so both
    databases add the overlaps up themselves (intervals on PostgreSQL, microseconds on SQLite)."""
    end = Coalesce("ended_at", Value(now, output_field=DateTimeField()))
    start = Greatest("started_at", Value(since, output_field=DateTimeField()))
    return Sum(
        ExpressionWrapper(end - start, output_field=DurationField()),
        filter=Q(ended_at__isnull=True) | Q(ended_at__gt=since),
        default=Value(timedelta(0)),
    )


def _episodes_in_windows(organization: Organization, now: datetime) -> QuerySet[Episode]:
    since = now - max(WINDOWS.values())
    return Episode.objects.for_org(organization).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=since), started_at__lt=now
    )


def _availability(downtime: dict[str, timedelta | None], terminals: int) -> Availability:
    downtime = {key: downtime.get(key) or timedelta(0) for key in WINDOWS}
    ratio = {
        key: max(0.0, 1 - downtime[key] / (window * terminals)) if terminals else None
        for key, window in WINDOWS.items()
    }
    return Availability(terminals=terminals, downtime=downtime, ratio=ratio)


def availability_summary(
    *,
    organization: Organization,
    terminal: Terminal | None = None,
    client: Client | None = None,
    now: datetime | None = None,
) -> Availability:
    """Availability over the last 24 h / 7 d / 30 d of one terminal, of a client's terminals
    or of the whole fleet: one aggregate over the episodes that overlap the widest window."""
    now = now or timezone.now()
    episodes = _episodes_in_windows(organization, now)
    terminals = Terminal.objects.for_org(organization).exclude(status=Terminal.Status.NEVER_SEEN)
    if terminal is not None:
        episodes, count = episodes.filter(terminal=terminal), 1
    elif client is not None:
        episodes = episodes.filter(client=client)
        count = terminals.filter(client=client).count()
    else:
        count = terminals.count()
    downtime = episodes.aggregate(
        **{key: _overlap(now - window, now) for key, window in WINDOWS.items()}
    )
    return _availability(downtime, count)


def availability_by_terminal(
    *, organization: Organization, terminal_ids: list[int], now: datetime | None = None
) -> dict[int, Availability]:
    """The same figures for many terminals at once (a page of a list): one grouped query."""
    now = now or timezone.now()
    rows = (
        _episodes_in_windows(organization, now)
        .filter(terminal_id__in=terminal_ids)
        .order_by()
        .values("terminal_id")
        .annotate(**{key: _overlap(now - window, now) for key, window in WINDOWS.items()})
    )
    found = {row.pop("terminal_id"): row for row in rows}
    return {pk: _availability(found.get(pk, {}), 1) for pk in terminal_ids}


@dataclass(frozen=True)
class FleetPoint:
    at: datetime
    disconnected: int
    connected: int


# The chart's buckets follow the local clock (hours on the hour, days from midnight), so a
# bucket that is over never changes (an episode that ends later was down during it anyway):
# its count is kept in the cache, and a chart counts only the buckets missing there plus the
# running one. The beat task fills the cache (tasks.warm_fleet_charts), so in the steady
# state that is the running bucket alone: the open episodes and those ended since it began.
#
# A sweep writes its episodes with the `now` it started at and may commit minutes later (a
# large outage flips the fleet in batches): a bucket is final once it has been over this long.
FLEET_SETTLE = timedelta(minutes=15)
# How long a final bucket is kept: until the widest window of its step has moved past it.
FLEET_KEEP = {"24h": timedelta(hours=25), "7d": timedelta(days=31), "30d": timedelta(days=31)}
# Deleting a terminal deletes its episodes, yet the kept buckets go on counting it (it was
# down then) until they leave the window, a day for hours and a month for days. Whatever
# rewrites past episodes and must show at once calls fleet_history_forget().


def _fleet_buckets(window: str, now: datetime) -> list[tuple[datetime, datetime]]:
    """Each bucket's (start, end), oldest first; the last one is running and ends at `now`."""
    local = timezone.localtime(now)
    if window == "24h":
        # Back from the local hour in absolute hours: local arithmetic across a change to or
        # from summer time would repeat an hour or skip one.
        hour = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        starts = [hour - timedelta(hours=back) for back in range(23, -1, -1)]
    else:
        today = local.date()
        starts = [
            timezone.make_aware(datetime.combine(today - timedelta(days=back), time.min))
            for back in range(WINDOWS[window].days - 1, -1, -1)
        ]
    return list(zip(starts, [*starts[1:], now], strict=True))


def _fleet_key(organization: Organization, name: str) -> str:
    # One entry per organization and step (7 d and 30 d share the days), not one per bucket: a
    # chart is one cache read, and the embedded file cache, which culls files at random past
    # 300, holds a few per organization. The code, not the id: ids start over in a recreated
    # database, and a Redis that outlived it would answer for another organization.
    return f"vigia:fleet:{organization.code}:{name}"


def _fleet_cached(key: str) -> tuple[bool, Any]:
    """(whether the cache answered, its entry or None)."""
    try:
        return True, cache.get(key)
    except Exception:  # noqa: BLE001
        # A cache that is down costs the chart full counts, not the page.
        return False, None


def _fleet_count(organization: Organization, buckets: list[tuple[datetime, datetime]]) -> list[int]:
    """Distinct terminals down at some moment of each bucket: one aggregate with a filtered
    count per bucket over the episodes that overlap any of them (open, or ended since the
    first began: the two indexes on the episodes' end)."""
    if not buckets:
        return []
    episodes = Episode.objects.for_org(organization).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=buckets[0][0]), started_at__lt=buckets[-1][1]
    )
    counts = episodes.aggregate(
        **{
            f"b{index}": Count(
                "terminal_id",
                distinct=True,
                filter=Q(started_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gt=start)),
            )
            for index, (start, end) in enumerate(buckets)
        }
    )
    return [counts[f"b{index}"] for index in range(len(buckets))]


def _fleet_counts(
    organization: Organization, window: str, buckets: list[tuple[datetime, datetime]], now: datetime
) -> tuple[list[int], int]:
    """(each bucket's count, how many were counted here rather than read from the cache)."""
    key = _fleet_key(organization, "hours" if window == "24h" else "days")
    answered, kept = _fleet_cached(key)
    kept = kept or {}
    spans = [(int(start.timestamp()), int(end.timestamp())) for start, end in buckets]
    missing = [index for index, span in enumerate(spans) if span not in kept]
    counted = dict(
        zip(missing, _fleet_count(organization, [buckets[i] for i in missing]), strict=True)
    )
    final = {spans[i]: count for i, count in counted.items() if buckets[i][1] <= now - FLEET_SETTLE}
    if answered and final:
        # Two writers may race: the loser's buckets are counted again by the next chart.
        since = (now - FLEET_KEEP[window]).timestamp()
        current = {span: count for span, count in kept.items() if span[1] > since}
        cache.set(key, current | final, timeout=FLEET_KEEP[window].total_seconds())
    counts = [kept[span] if span in kept else counted[index] for index, span in enumerate(spans)]
    return counts, len(missing)


def _fleet_size(organization: Organization) -> int:
    """The reporting fleet (terminals heard from at least once). Counting it is a scan of the
    terminals (0.1 s at 1,000,000) for a figure that moves when a terminal first reports or
    is deleted, so it is counted once a sweep interval, the delay the disconnections have."""
    key = _fleet_key(organization, "size")
    answered, size = _fleet_cached(key)
    if size is None:
        terminals = Terminal.objects.for_org(organization)
        size = terminals.exclude(status=Terminal.Status.NEVER_SEEN).count()
        if answered:
            cache.set(key, size, timeout=settings.SWEEP_INTERVAL_SECONDS)
    return size


def fleet_history(
    *, organization: Organization, window: str = "24h", now: datetime | None = None
) -> list[FleetPoint]:
    """How many terminals were down at some moment of each hour (24 h) or day (7 d, 30 d) of
    the local clock, the last one running to now, and how many of the reporting fleet were
    not. The buckets that are over come from the cache when it has them (see FLEET_SETTLE)."""
    now = now or timezone.now()
    buckets = _fleet_buckets(window, now)
    counts = _fleet_counts(organization, window, buckets, now)[0]
    fleet = _fleet_size(organization)
    return [
        FleetPoint(at=start, disconnected=count, connected=fleet - count)
        for (start, _end), count in zip(buckets, counts, strict=True)
    ]


def fleet_history_warm(*, organization: Organization, now: datetime | None = None) -> int:
    """Counts the final buckets of the 24 h and 30 d charts (7 d's included) that the cache
    lacks, so that no page view pays for them; answers how many it counted. When the cache is
    warm that is two cache reads and no query."""
    now = now or timezone.now()
    counted = 0
    for window in ("24h", "30d"):
        final = [
            (start, end) for start, end in _fleet_buckets(window, now) if end <= now - FLEET_SETTLE
        ]
        counted += _fleet_counts(organization, window, final, now)[1]
    return counted


def fleet_history_forget(*, organization: Organization) -> None:
    """Drops what the organization's charts keep: the next ones count again from the
    episodes and terminals as they are then."""
    cache.delete_many([_fleet_key(organization, name) for name in ("hours", "days", "size")])


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
