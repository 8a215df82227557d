"""The console's availability over a large history: 1,000,000 terminals and 10,000,000
disconnection episodes spread over a year (1 % of the terminals down right now).

    DATABASE_URL=postgres://…/vigia_bench_terminals python -m bench.availability \
        --terminals 1000000 --episodes-per-terminal 10

Prints one JSON line: the set-based queries the pages run (the fleet's availability and its
24 h / 30 d chart, a client's, a terminal's, a page of terminals), each the median of
`--repeat` runs, against a baseline that reads each terminal's episodes and adds the overlaps
up in Python, timed on a sample and extrapolated to the fleet. The sample's figures are also
compared with the SQL ones, so a fast wrong answer fails the run.

The chart is timed cold (its cache emptied before each run) and warm (as the dashboard sees
it once the beat task has kept the final buckets), with the task itself on a cold and on a
warm cache; the warm chart must show what the cold one does. The fleet's availability
likewise: with no cache at all (one aggregate over the month), cold (the hours counted and
kept) and warm (the hours read back, the windows' ends counted live), the three equal. Then
the whole dashboard as an operator gets it: the page through Django's test client, logged
in as a member of the organization, cold (the organization's kept figures dropped before
each run) and warm (after the beat task). "fleet" is the fleet's availability as the
dashboard gets it, warm.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.sweep import ensure_fleet, log  # noqa: E402
from tenancy.models import Membership, User  # noqa: E402
from terminals import figures, selectors, tasks  # noqa: E402
from terminals.models import Episode, Terminal  # noqa: E402

YEAR = timedelta(days=365)
OPERATOR = "bench-availability"
# A cache that does not answer: the pages' fallback, one aggregate over the month.
NO_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}

# Every terminal's episodes in one statement: `per` outages at random moments of the past
# year, 5 minutes to 12 hours long; the last one of every hundredth terminal still open.
_EPISODES_SQL = """
INSERT INTO terminals_episode
    (organization_id, code, terminal_id, client_id, started_at, last_heartbeat_at, ended_at,
     acknowledged_at, acknowledgement_note)
SELECT t.organization_id, gen_random_uuid(), t.id, t.client_id, s.started,
       s.started - interval '15 minutes',
       CASE WHEN n = %(per)s AND t.id %% 100 = 0 THEN NULL
            ELSE s.started + (interval '5 minutes' + random() * interval '12 hours') END,
       NULL, ''
FROM terminals_terminal t
CROSS JOIN generate_series(1, %(per)s) AS n
CROSS JOIN LATERAL (
    SELECT CASE WHEN n = %(per)s AND t.id %% 100 = 0
                THEN %(now)s - random() * interval '3 days'
                ELSE %(now)s - interval '3 days' - random() * %(year)s END AS started
) s
WHERE t.organization_id = %(organization_id)s
"""


def ensure_history(organization, per_terminal: int) -> int:
    episodes = Episode.objects.filter(organization=organization)
    terminals = Terminal.objects.filter(organization=organization).count()
    count = episodes.count()
    if count == terminals * per_terminal:
        return count
    log(f"writing {terminals * per_terminal:,} episodes…")
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM terminals_episode WHERE organization_id = %s", [organization.pk]
        )
        cursor.execute(
            _EPISODES_SQL,
            {"per": per_terminal, "organization_id": organization.pk, "now": now, "year": YEAR},
        )
        # The flags the sweep keeps beside the open episodes (Terminal.disconnected_since).
        cursor.execute(
            """
            UPDATE terminals_terminal t SET status = 'disconnected',
                disconnected_since = e.started_at
            FROM terminals_episode e
            WHERE e.terminal_id = t.id AND e.ended_at IS NULL AND t.organization_id = %s
            """,
            [organization.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE terminals_episode")
        cursor.execute("ANALYZE terminals_terminal")
    log(f"history written in {time.perf_counter() - started:.0f} s")
    return episodes.count()


def timed(repeat: int, function, before=None) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def python_downtime(terminal_id: int, now: datetime) -> dict[str, timedelta]:
    """The baseline: a terminal's episodes read row by row and the overlaps added in Python."""
    downtime = dict.fromkeys(figures.WINDOWS, timedelta(0))
    for started, ended in Episode.objects.filter(terminal_id=terminal_id).values_list(
        "started_at", "ended_at"
    ):
        for key, window in figures.WINDOWS.items():
            overlap = min(ended or now, now) - max(started, now - window)
            if overlap > timedelta(0):
                downtime[key] += overlap
    return downtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=1_000_000)
    parser.add_argument("--episodes-per-terminal", type=int, default=10)
    parser.add_argument("--baseline-sample", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    organization = ensure_fleet(args.terminals)
    episodes = ensure_history(organization, args.episodes_per_terminal)
    now = timezone.now()
    ids = list(
        Terminal.objects.filter(organization=organization)
        .order_by("id")
        .values_list("id", flat=True)
    )
    rng = random.Random(15)
    sample = rng.sample(ids, min(args.baseline_sample, len(ids)))
    client = Terminal.objects.filter(organization=organization, client__isnull=False).first().client
    terminal = Terminal.objects.get(pk=sample[0])

    def forget() -> None:
        figures.fleet_history_forget(organization=organization)

    def chart(window: str):
        return lambda: figures.fleet_history(organization=organization, window=window, now=now)

    def warm() -> int:
        return figures.fleet_history_warm(organization=organization, now=now)

    seconds, charts = {}, {}
    for window in ("24h", "30d"):
        seconds[f"fleet_chart_{window}_cold"], charts[window] = timed(
            args.repeat, chart(window), before=forget
        )
    # The beat task's run on an empty cache (a first deploy, a flushed Redis) and its usual
    # one, when nothing became final since the previous run.
    forget()
    seconds["fleet_warm_task_cold"], counted_cold = timed(1, warm)
    seconds["fleet_warm_task_warm"], counted_warm = timed(args.repeat, warm)
    warm_matches_cold = True
    for window in ("24h", "30d"):
        seconds[f"fleet_chart_{window}_warm"], points = timed(args.repeat, chart(window))
        warm_matches_cold &= points == charts[window]

    def availability():
        return figures.availability_summary(organization=organization, now=now)

    with override_settings(CACHES=NO_CACHE):
        seconds["fleet_availability_no_cache"], uncached = timed(args.repeat, availability)
    seconds["fleet_availability_cold"], cold = timed(args.repeat, availability, before=forget)
    forget()
    seconds["availability_warm_task_cold"], hours_cold = timed(
        1, lambda: figures.availability_warm(organization=organization, now=now)
    )
    seconds["fleet_availability_warm"], warm_availability = timed(args.repeat, availability)
    availability_matches = warm_availability == cold == uncached

    # The page itself: sessions, the organization's context, every selector and the template.
    user, _ = User.objects.get_or_create(username=OPERATOR, defaults={"email": "op@bench.example"})
    Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": Membership.Role.OPERATOR}
    )
    http = HttpClient(SERVER_NAME="localhost")
    http.force_login(user)

    def dashboard() -> None:
        response = http.get(reverse("dashboard"))
        assert response.status_code == 200 and b"terminal-glance" in response.content, response

    dashboard()  # the process's first page loads the templates and the URLs: not timed
    seconds["dashboard_cold"], _ = timed(args.repeat, dashboard, before=forget)
    tasks.warm_fleet_charts()
    seconds["dashboard_warm"], _ = timed(args.repeat, dashboard)

    results = {
        "fleet": availability,
        "client": lambda: figures.availability_summary(
            organization=organization, client=client, now=now
        ),
        "terminal": lambda: figures.availability_summary(
            organization=organization, terminal=terminal, now=now
        ),
        "page_of_25": lambda: figures.availability_by_terminal(
            organization=organization, terminal_ids=sample[:25], now=now
        ),
        "longest_outages": lambda: selectors.outages_longest(organization=organization),
    }
    for name, function in results.items():
        seconds[name], _ = timed(args.repeat, function)

    by_sql = figures.availability_by_terminal(
        organization=organization, terminal_ids=sample, now=now
    )
    started = time.perf_counter()
    by_python = {terminal_id: python_downtime(terminal_id, now) for terminal_id in sample}
    per_terminal = (time.perf_counter() - started) / len(sample)
    agree = all(
        abs((by_sql[pk].downtime[key] - by_python[pk][key]).total_seconds()) < 0.001
        for pk in sample
        for key in figures.WINDOWS
    )
    baseline_fleet = per_terminal * len(ids)
    print(
        json.dumps(
            {
                "bench": "availability",
                "terminals": len(ids),
                "episodes": episodes,
                "seconds": {name: round(value, 4) for name, value in seconds.items()},
                "baseline_per_terminal_ms": round(per_terminal * 1000, 3),
                "baseline_fleet_extrapolated_s": round(baseline_fleet, 1),
                "fleet_speedup": round(baseline_fleet / seconds["fleet"], 1),
                "sql_matches_python": agree,
                "fleet_warm_task_buckets": {"cold": counted_cold, "warm": counted_warm},
                "availability_warm_task_hours": hours_cold,
                "chart_warm_matches_cold": warm_matches_cold,
                "availability_warm_matches_cold": availability_matches,
                # These machines are shared: the load says how much of a core the run had.
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    )
    if not agree:
        raise SystemExit("the SQL availability differs from the Python baseline")
    if not warm_matches_cold:
        raise SystemExit("the fleet chart from the cache differs from the one counted cold")
    if not availability_matches:
        raise SystemExit("the fleet's availability differs warm, cold and with no cache")


if __name__ == "__main__":
    main()
