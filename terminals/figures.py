"""The console's figures: the terminals by status, availability over the last 24 h / 7 d /
30 d, and the fleet's chart, computed set-based from the disconnection episodes, with the
hours and buckets that are over kept in the cache so that a dashboard at a million terminals
and ten million episodes reads them instead of counting them again."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from datetime import timezone as fixed_offset
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
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
from django.db.models.functions import Coalesce, Greatest, Least, Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.models import Organization
from terminals.models import (
    Episode,
    Terminal,
)

logger = logging.getLogger(__name__)

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


def _at(moment: datetime) -> Value:
    return Value(moment, output_field=DateTimeField())


def _overlap(since: datetime, now: datetime) -> Sum:
    """Total time the episodes spent inside [since, now]: SQL over the episode rows, so both
    databases add the overlaps up themselves (intervals on PostgreSQL, microseconds on SQLite).
    An episode that ended after `now` (a `now` in the past) counts up to `now` only."""
    end = Least(Coalesce("ended_at", _at(now)), _at(now))
    start = Greatest("started_at", _at(since))
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
    or of the whole fleet: one aggregate over the episodes that overlap the widest window.
    The whole fleet's, where that aggregate reads a month of episodes, adds the hours kept in
    the cache to the ends of each window counted live (_fleet_downtime) when it can."""
    now = now or timezone.now()
    episodes = _episodes_in_windows(organization, now)
    terminals = Terminal.objects.for_org(organization).exclude(status=Terminal.Status.NEVER_SEEN)
    if terminal is not None:
        episodes, count = episodes.filter(terminal=terminal), 1
    elif client is not None:
        episodes = episodes.filter(client=client)
        count = terminals.filter(client=client).count()
    else:
        # The reporting fleet the status counts and the chart show, not a count of its own.
        count = _fleet_size(organization)
        downtime = _fleet_downtime(organization, now)
        if downtime is not None:
            return _availability(downtime, count)
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
# Deleting a terminal deletes its episodes, yet the kept buckets would go on counting it (it
# was down then) until they leave the window, a day for hours and a month for days: whatever
# deletes or rewrites past episodes calls fleet_history_forget() (the terminal's deletion,
# the admin's, the demo's seeding).


def _local_hour(now: datetime) -> datetime:
    """The start of the running hour of the local clock, in UTC. The hours before it are
    counted back from it in absolute hours: local arithmetic across a change to or from
    summer time would repeat an hour or skip one."""
    local = timezone.localtime(now)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def _fleet_buckets(window: str, now: datetime) -> list[tuple[datetime, datetime]]:
    """Each bucket's (start, end), oldest first; the last one is running and ends at `now`."""
    if window == "24h":
        hour = _local_hour(now)
        starts = [hour - timedelta(hours=back) for back in range(23, -1, -1)]
    else:
        today = timezone.localtime(now).date()
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


def _fleet_keep(key: str, value: Any, timeout: float) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # noqa: BLE001
        # One that fails between a read and this write: the figures are counted already.
        logger.warning("the cache did not keep %s", key)


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
        _fleet_keep(key, current | final, FLEET_KEEP[window].total_seconds())
    counts = [kept[span] if span in kept else counted[index] for index, span in enumerate(spans)]
    return counts, len(missing)


def _fleet_inventory(organization: Organization) -> tuple[dict[str, int], bool]:
    """(the organization's terminals by status, whether they were counted by this call).

    Counting them is a scan of the terminals (0.12 s at 1,000,000; no index answers a count
    of all of them), so the counts are kept for a sweep interval and shared by the status
    counts, the fleet's availability and the chart, which thus agree on the reporting fleet
    (terminals heard from at least once). Kept, they serve the figures that move when a
    terminal is added, first reports or is deleted: a minute late at most, the delay the
    disconnections themselves have (the sweep's). Deletions through the services and the
    admin forget them at once. What moves with the signals, connected against disconnected,
    terminal_status_counts counts at each call from the status index."""
    key = _fleet_key(organization, "terminals")
    answered, counts = _fleet_cached(key)
    if counts is not None:
        return counts, False
    counts = dict.fromkeys(Terminal.Status.values, 0)
    rows = (
        Terminal.objects.for_org(organization)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    counts.update(dict(rows))
    if answered:
        _fleet_keep(key, counts, settings.SWEEP_INTERVAL_SECONDS)
    return counts, True


def _fleet_size(organization: Organization) -> int:
    """The reporting fleet: terminals heard from at least once."""
    counts = _fleet_inventory(organization)[0]
    return counts[Terminal.Status.CONNECTED] + counts[Terminal.Status.DISCONNECTED]


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


# The fleet's availability over a window is the time its terminals spent down inside it:
# over a month, an aggregate of 750,000 episodes at 1,000,000 terminals. It is cut on the
# chart's hours instead. An hour that is over (FLEET_SETTLE) does not change, an episode still
# open having been down all of it, so each one keeps in the cache its downtime and how many
# terminals were down as it ended; a window is then the whole hours inside it, added up from
# the cache, and its two ends, counted at each call in one aggregate over the episodes that
# began or ended inside them (the indexes on the episodes' start and end):
#   - the piece of the hour the window begins in, from its start to the hour's end: with
#     D down as that hour ended (kept), D x the piece's length, less the time from the
#     piece's start to each start inside it, plus the time to each end;
#   - the tail, from the end of the last hour kept to now, the same way, with D those down
#     as that hour ended and the starts less the ends since.
# So no query reads the long episodes that merely span a piece, nor the open ones: an outage
# of a thousand terminals costs the page nothing once its hour is over. The hours missing
# there (all of them in an empty cache, those just over otherwise) are counted from the
# starts and ends inside them, back from what is down now, in one grouped aggregate; the
# beat task keeps them (availability_warm). A cache that does not answer costs the one
# aggregate over the month.
MICROSECOND = timedelta(microseconds=1)
HOUR = timedelta(hours=1)
FLEET_ENTRIES = ("hours", "days", "terminals", "downtime")


@dataclass(frozen=True)
class _Hours:
    """The hours a fleet window at `now` is cut on."""

    hour: datetime  # the start of the running hour
    settled: datetime  # the end of the last hour that is over (see FLEET_SETTLE)
    oldest: datetime  # the start of the hour the widest window begins in


def _hours(now: datetime) -> _Hours:
    hour = _local_hour(now)
    settled = hour if hour <= now - FLEET_SETTLE else hour - HOUR
    return _Hours(hour=hour, settled=settled, oldest=hour - max(WINDOWS.values()))


def _since(field: str, moment: datetime) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) - _at(moment), output_field=DurationField())


def _microseconds(value: timedelta | None) -> int:
    return (value or timedelta(0)) // MICROSECOND


def _down_now(now: datetime) -> Q:
    """The episodes down just before `now`: open, or ending at `now` or later."""
    return Q(started_at__lt=now) & (Q(ended_at__isnull=True) | Q(ended_at__gte=now))


def _downtime_count(
    organization: Organization, since: datetime, now: datetime
) -> dict[int, tuple[int, int]]:
    """Each hour's (downtime in microseconds, terminals down as it ended) from `since`, an
    hour's start, to the running hour's (excluded), by its start's timestamp. One grouped
    aggregate over the episodes that began or ended since then and those down now, by the
    hours they began and ended in: the starts and the ends of each hour, from which the
    hours are walked back from the episodes down just before now. Within an hour
    [h, h + 1 h), with D the terminals down as it ended, the downtime is
    D x 1 h - sum(start - h) + sum(end - h) over the starts and ends inside it, and before it
    D - starts + ends were down."""
    # The grid's hours (_local_hour) in a zone of a fixed offset: the local one less its
    # whole hours, which a change to or from summer time does not move.
    phase = timedelta(seconds=int(since.timestamp()) % 3600)
    zone = fixed_offset(phase) if phase else UTC
    began = Q(started_at__gte=since, started_at__lt=now)
    ended = Q(ended_at__gte=since, ended_at__lt=now)
    # One snapshot: what is down now read apart from the starts and ends would be off by an
    # episode committed in between, and every hour walked back from it by as much.
    down_now = _down_now(now)
    rows = (
        Episode.objects.for_org(organization)
        .filter(began | ended | down_now)
        .order_by()
        .values(
            began_in=Trunc("started_at", "hour", tzinfo=zone),
            ended_in=Trunc("ended_at", "hour", tzinfo=zone),
        )
        .annotate(
            starts=Count("id", filter=began),
            starts_at=Sum(_since("started_at", since), filter=began),
            ends=Count("id", filter=ended),
            ends_at=Sum(_since("ended_at", since), filter=ended),
            down=Count("id", filter=down_now),
        )
    )
    down = 0
    moves: dict[int, int] = {}  # ends - starts
    offsets: dict[int, int] = {}  # sum(end - since) - sum(start - since), in microseconds
    for row in rows:
        down += row["down"]
        for key, count, offset, sign in (
            (row["began_in"], row["starts"], row["starts_at"], -1),
            (row["ended_in"], row["ends"], row["ends_at"], 1),
        ):
            if count:
                key = int(key.timestamp())
                moves[key] = moves.get(key, 0) + sign * count
                offsets[key] = offsets.get(key, 0) + sign * _microseconds(offset)
    hour = _local_hour(now)
    down += moves.get(int(hour.timestamp()), 0)
    counted = {}
    while hour > since:
        hour -= HOUR
        key = int(hour.timestamp())
        # The offsets were measured from `since`: from the hour's start, each is this less.
        shift = moves.get(key, 0) * ((hour - since) // MICROSECOND)
        counted[key] = (down * (HOUR // MICROSECOND) + offsets.get(key, 0) - shift, down)
        down += moves.get(key, 0)
    return counted


def _downtime_hours(
    organization: Organization, now: datetime, kept: dict | None
) -> tuple[list[tuple[int, int]], int]:
    """(the hours that are over from the first one of the widest window, oldest first, as
    _downtime_count gives them, how many of them were counted here): those of `kept`, the
    cache's entry, and the missing ones, counted and kept."""
    kept = kept or {}
    grid = _hours(now)
    needed = range(int(grid.oldest.timestamp()), int(grid.settled.timestamp()), 3600)
    missing = [start for start in needed if start not in kept]
    if missing:
        since = datetime.fromtimestamp(missing[0], tz=UTC)
        counted = _downtime_count(organization, since, now)
        # What a window may still need, nothing older: the entry stays about 720 hours.
        current = {start: value for start, value in kept.items() if start >= needed.start}
        kept = current | {start: counted[start] for start in missing}
        # Two writers may race: the loser's hours are counted again by the next call.
        _fleet_keep(_fleet_key(organization, "downtime"), kept, FLEET_KEEP["30d"].total_seconds())
    return [kept[start] for start in needed], len(missing)


def _fleet_downtime(organization: Organization, now: datetime) -> dict[str, timedelta] | None:
    """The fleet's downtime in each window up to `now`, from the hours kept in the cache and
    the windows' ends counted live (see above); None when the cache does not answer."""
    answered, kept = _fleet_cached(_fleet_key(organization, "downtime"))
    if not answered:
        return None
    hours = _downtime_hours(organization, now, kept)[0]
    grid = _hours(now)
    # The piece of the hour each window begins in, and the tail: their starts and ends.
    pieces = {name: (now - window, grid.hour - window + HOUR) for name, window in WINDOWS.items()}
    pieces["tail"] = (grid.settled, now)
    where, aggregates = Q(), {}
    for name, (start, end) in pieces.items():
        began = Q(started_at__gte=start, started_at__lt=end)
        ended = Q(ended_at__gte=start, ended_at__lt=end)
        where |= began | ended
        aggregates |= {
            f"starts_{name}": Count("id", filter=began),
            f"starts_at_{name}": Sum(_since("started_at", start), filter=began),
            f"ends_{name}": Count("id", filter=ended),
            f"ends_at_{name}": Sum(_since("ended_at", start), filter=ended),
        }
    live = Episode.objects.for_org(organization).filter(where).aggregate(**aggregates)

    def inside(name: str, down: int) -> int:
        """The piece's downtime in microseconds, `down` terminals down as it ended."""
        start, end = pieces[name]
        moved = _microseconds(live[f"ends_at_{name}"]) - _microseconds(live[f"starts_at_{name}"])
        return down * ((end - start) // MICROSECOND) + moved

    # Down just before now: those down as the last hour kept ended, and what changed since.
    down = hours[-1][1] + live["starts_tail"] - live["ends_tail"]
    tail = inside("tail", down)
    # total[i]: the downtime of the hours before the i-th.
    total = [0, *accumulate(downtime for downtime, _down in hours)]
    downtime = {}
    for name, window in WINDOWS.items():
        index = (grid.hour - window - grid.oldest) // HOUR
        whole = total[-1] - total[index + 1]
        downtime[name] = timedelta(microseconds=inside(name, hours[index][1]) + whole + tail)
    return downtime


def availability_warm(*, organization: Organization, now: datetime | None = None) -> int:
    """Counts the hours of the fleet's availability that are over and that the cache lacks,
    so that no page view pays for them; answers how many it counted. When the cache is warm
    that is one cache read and no query; a cache that does not answer is left alone."""
    answered, kept = _fleet_cached(_fleet_key(organization, "downtime"))
    if not answered:
        return 0
    return _downtime_hours(organization, now or timezone.now(), kept)[1]


def fleet_history_forget(*, organization: Organization) -> None:
    """Drops what the organization's charts and fleet availability keep: the next ones count
    again from the episodes and terminals as they are then. Inside a transaction it drops
    them again once it commits: a dashboard meanwhile would keep what it read before."""
    keys = [_fleet_key(organization, name) for name in FLEET_ENTRIES]

    def drop() -> None:
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001
            # The rows are written already: a cache that is down must not undo the request.
            logger.warning("the cache did not drop the fleet figures of %s", organization.code)

    drop()
    if connection.in_atomic_block:
        transaction.on_commit(drop)


def terminal_status_counts(*, organization: Organization) -> dict[str, int]:
    """The organization's terminals by status, and their total. The disconnected ones are
    counted at each call from the status index (as many entries as are down); the others
    come from the inventory the dashboard's figures share (_fleet_inventory)."""
    counts, fresh = _fleet_inventory(organization)
    counts = dict(counts)
    if not fresh:
        reporting = counts[Terminal.Status.CONNECTED] + counts[Terminal.Status.DISCONNECTED]
        disconnected = (
            Terminal.objects.for_org(organization)
            .filter(status=Terminal.Status.DISCONNECTED)
            .count()
        )
        counts[Terminal.Status.DISCONNECTED] = disconnected
        counts[Terminal.Status.CONNECTED] = max(0, reporting - disconnected)
    counts["total"] = sum(counts.values())
    return counts
