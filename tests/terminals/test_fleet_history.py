"""The dashboard's fleet chart: buckets on the local clock, the final ones kept in the cache
(filled by the beat task, shared by 7 d and 30 d) and the running one counted at each call,
with the same figures warm as cold. Real PostgreSQL and the real cache."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terminals import figures, tasks
from terminals.models import Episode, Terminal
from tests.factories import OrganizationFactory, TerminalFactory, episode_for

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _half_past() -> datetime:
    """Half past the previous hour of the local clock: a fixed place in the buckets, and a
    moment that is over (episodes may begin after it)."""
    return timezone.localtime().replace(minute=0, second=0, microsecond=0) - HOUR / 2


def _rows(organization) -> list[tuple]:
    return list(
        Episode.objects.filter(organization=organization).values_list(
            "terminal_id", "started_at", "ended_at"
        )
    )


def _direct(rows: list[tuple], points: list[figures.FleetPoint], now: datetime) -> list[int]:
    """Each bucket's distinct terminals down, from the episodes' rows one by one."""
    ends = [point.at for point in points[1:]] + [now]
    return [
        len(
            {
                terminal
                for terminal, started, ended in rows
                if started < end and (ended is None or ended > point.at)
            }
        )
        for point, end in zip(points, ends, strict=True)
    ]


def _down(points: list[figures.FleetPoint]) -> list[int]:
    return [point.disconnected for point in points]


def _steps(points: list[figures.FleetPoint]) -> list[timedelta]:
    """Elapsed time between the starts (two datetimes of one zone subtract as wall clocks)."""
    return [timedelta(seconds=b.at.timestamp() - a.at.timestamp()) for a, b in pairwise(points)]


def _counts(queries: CaptureQueriesContext) -> int:
    """Buckets counted in SQL: one filtered COUNT(DISTINCT …) each."""
    return sum(query["sql"].count("COUNT(DISTINCT") for query in queries.captured_queries)


@pytest.mark.django_db
def test_the_buckets_start_on_the_hour_and_at_local_midnight_the_last_one_running_to_now():
    organization = OrganizationFactory()
    now = timezone.now()

    hours = figures.fleet_history(organization=organization, window="24h", now=now)

    assert len(hours) == 24
    assert {timezone.localtime(point.at).strftime("%M:%S.%f") for point in hours} == {
        "00:00.000000"
    }
    assert _steps(hours) == [HOUR] * 23
    assert hours[-1].at <= now < hours[-1].at + HOUR
    for window, days in (("7d", 7), ("30d", 30)):
        points = figures.fleet_history(organization=organization, window=window, now=now)
        assert len(points) == days
        assert {timezone.localtime(point.at).time() for point in points} == {time.min}
        assert timezone.localtime(points[-1].at).date() == timezone.localtime(now).date()


@pytest.mark.django_db
def test_across_the_change_to_summer_time_an_hour_lasts_an_hour_and_a_day_starts_at_midnight():
    organization = OrganizationFactory()
    zone = ZoneInfo("America/New_York")  # on 10 March 2024 its clocks skipped 2 a.m.
    with timezone.override(zone):
        hours = figures.fleet_history(
            organization=organization, window="24h", now=datetime(2024, 3, 10, 12, 30, tzinfo=zone)
        )
        days = figures.fleet_history(
            organization=organization, window="7d", now=datetime(2024, 3, 12, 12, 30, tzinfo=zone)
        )
        local_hours = [timezone.localtime(point.at).hour for point in hours]
        local_days = [timezone.localtime(point.at) for point in days]

    assert _steps(hours) == [HOUR] * 23
    assert local_hours == [*range(12, 24), 0, 1, *range(3, 13)]
    assert [moment.day for moment in local_days] == list(range(6, 13))
    assert {moment.time() for moment in local_days} == {time.min}
    assert _steps(days) == [DAY] * 4 + [DAY - HOUR, DAY]


@pytest.mark.django_db
def test_a_past_bucket_comes_from_the_cache_while_the_running_one_still_moves():
    organization = OrganizationFactory()
    flaky, late = TerminalFactory.create_batch(2, organization=organization)
    now = _half_past()
    episode_for(flaky, now - 5 * HOUR, now - 4.5 * HOUR)

    first = figures.fleet_history(organization=organization, window="24h", now=now)
    assert _down(first) == [0] * 18 + [1] + [0] * 5

    # Behind the selectors' back: a final bucket read from the cache does not see it.
    Episode.objects.filter(terminal=flaky).delete()
    episode_for(late, now + timedelta(minutes=1))
    later = now + timedelta(minutes=5)
    with CaptureQueriesContext(connection) as queries:
        second = figures.fleet_history(organization=organization, window="24h", now=later)

    assert _down(second) == [0] * 18 + [1] + [0] * 4 + [1]
    assert _counts(queries) == 1  # the running hour alone
    assert second[-1].connected == 1

    figures.fleet_history_forget(organization=organization)
    again = figures.fleet_history(organization=organization, window="24h", now=later)
    assert _down(again) == [0] * 23 + [1]


@pytest.mark.django_db
def test_a_warm_chart_shows_what_a_cold_one_and_a_count_of_the_episodes_show():
    organization, other = OrganizationFactory.create_batch(2)
    terminals = TerminalFactory.create_batch(6, organization=organization)
    TerminalFactory(organization=organization, status=Terminal.Status.NEVER_SEEN)
    now = _half_past()
    hour = now - HOUR / 2
    midnight = timezone.localtime(now).replace(hour=0, minute=0)
    a, b, c, d, e, f = terminals
    for terminal, started, ended in [
        (a, hour - 3 * HOUR, hour - 2 * HOUR),  # exactly one hour, on its edges
        (a, hour - 6 * HOUR, hour - 5.8 * HOUR),  # twice down in one hour: counted once
        (a, hour - 5.7 * HOUR, hour - 5.5 * HOUR),
        (a, hour - 50 * HOUR, hour - 49.5 * HOUR),
        (b, hour - 10 * DAY, None),  # down all along since
        (c, now - 20 * DAY, now - 18 * DAY),
        (d, midnight - 2 * HOUR, midnight),  # ended as the day began
        (d, midnight - 40 * DAY, midnight - 29 * DAY),  # began before the widest window
        (e, now - timedelta(seconds=1), None),
        (f, now, None),  # from now on: in no bucket yet
    ]:
        episode_for(terminal, started, ended)
    episode_for(TerminalFactory(organization=other), now - 40 * DAY, None)
    rows = _rows(organization)

    for window in ("24h", "7d", "30d"):
        figures.fleet_history_forget(organization=organization)
        cold = figures.fleet_history(organization=organization, window=window, now=now)
        figures.fleet_history_warm(organization=organization, now=now)
        with CaptureQueriesContext(connection) as queries:
            warm = figures.fleet_history(organization=organization, window=window, now=now)

        assert warm == cold
        assert _down(warm) == _direct(rows, warm, now)
        assert {point.disconnected + point.connected for point in warm} == {6}
        assert _counts(queries) == 1, window
    assert max(_down(warm)) >= 2


@pytest.mark.django_db
def test_the_beat_task_keeps_the_final_buckets_of_every_organization_with_terminals():
    now = timezone.now()
    organizations = OrganizationFactory.create_batch(2)
    for organization in organizations:
        terminal, other = TerminalFactory.create_batch(2, organization=organization)
        episode_for(terminal, now - 3 * DAY, now - 2 * DAY)
        episode_for(other, now - 5 * HOUR, now - 4 * HOUR)
        episode_for(other, now - 10 * DAY, now - 9 * DAY)
    idle = OrganizationFactory()
    rows = {organization.pk: _rows(organization) for organization in organizations}

    assert tasks.warm_fleet_charts()["buckets"] > 0
    assert tasks.warm_fleet_charts() == {"buckets": 0, "hours": 0}
    # An organization with no terminal was left alone.
    assert figures.fleet_history_warm(organization=idle) > 0

    # The episodes are gone, yet every final bucket is still as the task counted it.
    Episode.objects.all().delete()
    for organization in organizations:
        for window in ("24h", "30d"):
            later = timezone.now()
            points = figures.fleet_history(organization=organization, window=window, now=later)
            final = sum(1 for point in points[1:] if point.at <= later - figures.FLEET_SETTLE)
            assert _down(points)[:final] == _direct(rows[organization.pk], points, later)[:final]
            assert sum(_down(points)[:final]) > 0
            assert sum(_down(points)[final:]) == 0


@pytest.mark.django_db
def test_7d_shows_the_days_30d_kept():
    organization = OrganizationFactory()
    terminal, other = TerminalFactory.create_batch(2, organization=organization)
    now = _half_past()
    for days, hours in [(2, 1), (4, 30), (6, 2), (20, 3)]:
        episode_for(terminal, now - days * DAY, now - days * DAY + hours * HOUR)
    episode_for(other, now - 4 * DAY, now - 3 * DAY)

    month = figures.fleet_history(organization=organization, window="30d", now=now)
    Episode.objects.filter(organization=organization).delete()
    with CaptureQueriesContext(connection) as queries:
        week = figures.fleet_history(organization=organization, window="7d", now=now)

    assert [point.at for point in week] == [point.at for point in month[-7:]]
    assert _down(week[:-1]) == _down(month[-7:-1])
    assert max(_down(week)) == 2
    assert _counts(queries) == 1  # today


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_costs_the_chart_a_full_count_not_the_page(cache_down):
    organization = OrganizationFactory()
    terminal = TerminalFactory(organization=organization)
    now = _half_past()
    episode_for(terminal, now - 3 * HOUR, now - 2 * HOUR)
    cache_down()

    points = figures.fleet_history(organization=organization, window="24h", now=now)

    assert _down(points) == _direct(_rows(organization), points, now)
    assert sum(_down(points)) == 2
