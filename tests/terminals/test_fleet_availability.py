"""The fleet's availability on the dashboard: the hours that are over kept in the cache (one
entry per organization, filled by the page or the beat task), the ends of each window
counted live, and the same figures warm, cold, with no cache at all and added up row by
row; the status counts, the availability and the chart share one count of the terminals;
whatever deletes past episodes drops what was kept. Real PostgreSQL and the real cache."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.management.commands.seed_demo import USERS
from demo.management.commands.seed_demo import Command as SeedDemo
from terminals import figures, services, tasks
from terminals.models import Episode, Terminal
from tests.factories import OrganizationFactory, TerminalFactory, UserFactory, episode_for
from tests.processes import wait_until

HOUR, DAY, MINUTE = timedelta(hours=1), timedelta(days=1), timedelta(minutes=1)


def _by_hand(organization, now: datetime) -> dict[str, timedelta]:
    """Each window's downtime from the episodes' rows one by one: the overlaps with
    [now - window, now]."""
    rows = Episode.objects.filter(organization=organization).values_list("started_at", "ended_at")
    return {
        key: sum(
            (
                min(ended or now, now) - max(started, now - window)
                for started, ended in rows
                if started < now and (ended is None or ended > now - window)
            ),
            timedelta(0),
        )
        for key, window in figures.WINDOWS.items()
    }


def _episode_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"terminals_episode"' in q["sql"]]


def _fill_queries(queries: CaptureQueriesContext) -> int:
    """Grouped aggregates over the episodes: the counts of hours missing in the cache."""
    return sum(1 for sql in _episode_queries(queries) if "GROUP BY" in sql)


def _edges(organization, now: datetime) -> None:
    """Episodes on every edge a window is cut on: its start inside an hour, whole hours, the
    hour that is not over yet, the running one, and `now` itself."""
    hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    day, week, month = (now - window for window in figures.WINDOWS.values())
    for started, ended in [
        (day - 10 * MINUTE, day + 20 * MINUTE),  # across the 24 h window's start
        (day + 5 * MINUTE, day + 2 * HOUR),  # begins in its first, partial hour
        (week - 3 * HOUR, week + MINUTE),  # ends in the 7 d window's first, partial hour
        (week + timedelta(seconds=1), week + 2 * timedelta(seconds=1)),  # both inside it
        (month, month + 30 * MINUTE),  # begins as the 30 d window does
        (month - 2 * DAY, month - DAY),  # before every window
        (now - 40 * DAY, None),  # down all along
        (now - 20 * DAY, now - 2 * DAY),
        (hour - 5 * HOUR, hour - 3 * HOUR),  # on the hours' edges
        (hour - 50 * MINUTE, hour - 40 * MINUTE),  # the last hour, over but maybe not final
        (hour - 2 * HOUR, now - 2 * MINUTE),  # ended in the running hour
        (now - 10 * MINUTE, None),  # down now
        (now - HOUR, now + HOUR),  # ends after `now`: counted up to `now`
        (now, None),  # from `now` on: in no window yet
        (now + MINUTE, None),
    ]:
        episode_for(TerminalFactory(organization=organization), started, ended)
    TerminalFactory(organization=organization, status=Terminal.Status.NEVER_SEEN)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["America/Sao_Paulo", "Asia/Kolkata"])  # hours at :30 UTC
@pytest.mark.parametrize("past_the_hour", [30, 5])  # the last hour final, or not yet
def test_warm_availability_equals_cold_no_cache_and_the_rows_added_up(
    cache_down, zone, past_the_hour
):
    organization, other = OrganizationFactory.create_batch(2)
    with timezone.override(ZoneInfo(zone)):
        now = timezone.localtime().replace(minute=past_the_hour, second=7, microsecond=250)
        now -= 2 * HOUR
        _edges(organization, now)
        episode_for(TerminalFactory(organization=other), now - 3 * DAY, None)
        expected = _by_hand(organization, now)

        figures.fleet_history_forget(organization=organization)
        with CaptureQueriesContext(connection) as cold_queries:
            cold = figures.availability_summary(organization=organization, now=now)
        assert figures.availability_warm(organization=organization, now=now) == 0
        with CaptureQueriesContext(connection) as warm_queries:
            warm = figures.availability_summary(organization=organization, now=now)
        cache_down()
        direct = figures.availability_summary(organization=organization, now=now)

    assert warm == cold == direct
    assert warm.downtime == expected
    assert warm.terminals == 15
    assert all(timedelta(0) < warm.downtime[key] for key in figures.WINDOWS)
    assert _fill_queries(cold_queries) == 1
    # Warm: the windows' ends and the tail in one aggregate, the rest from the cache.
    assert len(_episode_queries(warm_queries)) == 1 and _fill_queries(warm_queries) == 0


@pytest.mark.django_db
def test_only_the_hours_missing_are_counted_and_the_cache_keeps_about_a_month():
    organization = OrganizationFactory()
    terminal = TerminalFactory(organization=organization)
    now = timezone.localtime().replace(minute=40, second=0, microsecond=0) - 3 * HOUR
    episode_for(terminal, now - 10 * DAY, now - 9 * DAY)

    assert figures.availability_warm(organization=organization, now=now) == 720
    assert figures.availability_warm(organization=organization, now=now) == 0
    # Two hours later two more hours are over, and the oldest two left every window.
    later = now + 2 * HOUR
    with CaptureQueriesContext(connection) as queries:
        assert figures.availability_warm(organization=organization, now=later) == 2
    assert _fill_queries(queries) == 1
    assert figures.availability_summary(organization=organization, now=later).downtime == (
        _by_hand(organization, later)
    )


@pytest.mark.django_db
def test_a_terminal_going_down_moves_the_figures_at_the_next_call():
    organization = OrganizationFactory()
    steady, falling = TerminalFactory.create_batch(2, organization=organization)
    # Half past an hour that is over: the minute after it is no new hour and no hour that
    # became final, so the cache has all it needs.
    now = timezone.localtime().replace(minute=30, second=0, microsecond=0) - HOUR
    episode_for(steady, now - 3 * DAY, now - 2 * DAY)
    before = figures.availability_summary(organization=organization, now=now)
    counts = figures.terminal_status_counts(organization=organization)
    assert counts["connected"] == 2 and counts["disconnected"] == 0

    episode_for(falling, now + timedelta(seconds=1))
    Terminal.objects.filter(pk=falling.pk).update(status=Terminal.Status.DISCONNECTED)
    later = now + MINUTE
    with CaptureQueriesContext(connection) as queries:
        after = figures.availability_summary(organization=organization, now=later)

    assert _fill_queries(queries) == 0
    assert after.downtime == _by_hand(organization, later)
    for key in figures.WINDOWS:
        assert after.downtime[key] - before.downtime[key] == later - now - timedelta(seconds=1)
    assert after.ratio["24h"] < before.ratio["24h"]
    counts = figures.terminal_status_counts(organization=organization)
    assert (counts["connected"], counts["disconnected"], counts["total"]) == (1, 1, 2)


@pytest.mark.django_db
def test_the_beat_task_keeps_the_hours_of_every_organization_with_terminals():
    now = timezone.now()
    organizations = OrganizationFactory.create_batch(2)
    for organization in organizations:
        terminal = TerminalFactory(organization=organization)
        episode_for(terminal, now - 3 * DAY, now - 2 * DAY)
    idle = OrganizationFactory()
    expected = {org.pk: _by_hand(org, now) for org in organizations}

    first = tasks.warm_fleet_charts()
    assert first["hours"] >= 2 * 719 and first["buckets"] > 0
    assert tasks.warm_fleet_charts() == {"buckets": 0, "hours": 0}
    assert figures.availability_warm(organization=idle) > 0  # left alone by the task

    # Behind the selectors' back: the hours kept still count what the task saw.
    Episode.objects.all().delete()
    for organization in organizations:
        kept = figures.availability_summary(organization=organization, now=now)
        assert kept.downtime == expected[organization.pk]
        assert kept.downtime["7d"] == DAY


@pytest.mark.django_db(transaction=True)
def test_a_prefork_worker_runs_the_beat_task_and_keeps_the_hours(start_worker):
    now = timezone.now()
    organization = OrganizationFactory()
    terminal = TerminalFactory(organization=organization, status=Terminal.Status.CONNECTED)
    episode_for(terminal, now - 3 * DAY, now - 2 * DAY)
    kept = figures._fleet_key(organization, "downtime")
    assert cache.get(kept) is None
    start_worker()

    tasks.warm_fleet_charts.delay()
    # Read-only until the worker has written: a page would count the hours itself.
    assert wait_until(lambda: cache.get(kept) is not None, timeout=60)
    assert len(cache.get(kept)) >= 719
    summary = figures.availability_summary(organization=organization, now=timezone.now())
    assert summary.downtime["7d"] == DAY and summary.terminals == 1


@pytest.mark.django_db
def test_status_counts_keep_the_inventory_and_count_the_disconnected_at_each_call():
    organization = OrganizationFactory()
    terminals = TerminalFactory.create_batch(3, organization=organization)
    TerminalFactory(organization=organization, status=Terminal.Status.NEVER_SEEN)
    assert figures.terminal_status_counts(organization=organization) == {
        "never_seen": 1,
        "connected": 3,
        "disconnected": 0,
        "total": 4,
    }

    Terminal.objects.filter(pk=terminals[0].pk).update(status=Terminal.Status.DISCONNECTED)
    with CaptureQueriesContext(connection) as queries:
        counts = figures.terminal_status_counts(organization=organization)
    assert (counts["connected"], counts["disconnected"], counts["total"]) == (2, 1, 4)
    assert not any("GROUP BY" in query["sql"] for query in queries.captured_queries)

    # A terminal added waits for the sweep interval, as the availability and the chart do.
    TerminalFactory(organization=organization)
    assert figures.terminal_status_counts(organization=organization)["total"] == 4
    figures.fleet_history_forget(organization=organization)
    assert figures.terminal_status_counts(organization=organization)["total"] == 5


@pytest.mark.django_db
def test_the_dashboard_reads_the_terminals_once_and_its_figures_agree(bob_client, org_a):
    now = timezone.now()
    for hours in (2, 30, 200):
        terminal = TerminalFactory(organization=org_a, status=Terminal.Status.DISCONNECTED)
        episode_for(terminal, now - hours * HOUR)
    TerminalFactory.create_batch(2, organization=org_a)
    TerminalFactory(organization=org_a, status=Terminal.Status.NEVER_SEEN)
    figures.fleet_history_forget(organization=org_a)

    for _ in range(2):  # cold, then warm
        with CaptureQueriesContext(connection) as queries:
            page = bob_client.get(reverse("dashboard"))
        assert page.status_code == 200
        scans = [
            query["sql"]
            for query in queries.captured_queries
            if 'FROM "terminals_terminal"' in query["sql"] and "GROUP BY" in query["sql"]
        ]
        assert len(scans) <= 1
    assert scans == []  # warm: the disconnected ones alone, from the status index
    counts = page.context["terminal_counts"]
    assert (counts["connected"], counts["disconnected"], counts["never_seen"]) == (2, 3, 1)
    assert page.context["availability"].terminals == 5
    bars = page.context["fleet"]["bars"]
    assert bars and {bar.point.connected + bar.point.disconnected for bar in bars} == {5}


@pytest.mark.django_db
def test_the_dashboard_renders_with_the_cache_down(bob_client, org_a, cache_down):
    now = timezone.now()
    terminal = TerminalFactory(organization=org_a, status=Terminal.Status.DISCONNECTED)
    episode_for(terminal, now - 5 * HOUR)
    episode_for(TerminalFactory(organization=org_a), now - 3 * DAY, now - 2 * DAY)
    cache_down()

    page = bob_client.get(reverse("dashboard"))

    assert page.status_code == 200
    availability = page.context["availability"]
    assert availability.terminals == 2
    assert availability.downtime["7d"] >= DAY + 5 * HOUR
    assert page.context["terminal_counts"]["disconnected"] == 1


def _month_of_downtime(organization, now: datetime) -> list[Terminal]:
    """Two terminals down a day each three days ago, with the figures kept from then."""
    terminals = TerminalFactory.create_batch(2, organization=organization)
    for terminal in terminals:
        episode_for(terminal, now - 3 * DAY, now - 2 * DAY)
    tasks.warm_fleet_charts()
    assert figures.availability_summary(organization=organization, now=now).downtime["7d"] == (
        2 * DAY
    )
    return terminals


def _chart_downtime(organization, now: datetime) -> int:
    points = figures.fleet_history(organization=organization, window="7d", now=now)
    return sum(point.disconnected for point in points)


@pytest.mark.django_db
def test_deleting_a_terminal_drops_the_figures_kept(django_capture_on_commit_callbacks):
    organization = OrganizationFactory()
    now = timezone.now()
    gone, _kept = _month_of_downtime(organization, now)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.terminal_delete(organization=organization, terminal=gone)
        # A dashboard meanwhile keeps the figures it reads; the commit drops them again.
        figures.availability_summary(organization=organization, now=now)
    assert callbacks

    with CaptureQueriesContext(connection) as queries:
        availability = figures.availability_summary(organization=organization, now=now)
    assert _fill_queries(queries) == 1
    assert availability.downtime["7d"] == DAY
    assert availability.terminals == 1
    assert _chart_downtime(organization, now) == 2  # two days, one terminal down


@pytest.mark.django_db
def test_a_cache_down_does_not_keep_a_terminal_from_being_deleted(cache_down):
    terminal = TerminalFactory()
    cache_down()

    services.terminal_delete(organization=terminal.organization, terminal=terminal)

    assert not Terminal.objects.filter(pk=terminal.pk).exists()


@pytest.mark.django_db
def test_the_admins_deletions_drop_the_figures_kept(admin_client, org_a):
    now = timezone.now()
    first, second = _month_of_downtime(org_a, now)
    response = admin_client.post(
        reverse("admin:terminals_terminal_delete", args=[first.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert figures.availability_summary(organization=org_a, now=now).downtime["7d"] == DAY

    tasks.warm_fleet_charts()
    response = admin_client.post(
        reverse("admin:terminals_episode_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [episode.pk for episode in second.episodes.all()],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Episode.objects.filter(organization=org_a).exists()
    availability = figures.availability_summary(organization=org_a, now=now)
    assert availability.downtime["7d"] == timedelta(0)
    assert _chart_downtime(org_a, now) == 0


@pytest.mark.django_db
def test_an_episode_given_to_another_terminal_in_the_admin_drops_the_chart(admin_client, org_a):
    now = timezone.now()
    first, second = _month_of_downtime(org_a, now)
    assert _chart_downtime(org_a, now) == 4  # two days, two terminals each
    episode = second.episodes.get()
    response = admin_client.post(
        reverse("admin:terminals_episode_change", args=[episode.pk]),
        {
            "organization": org_a.pk,
            "terminal": first.pk,
            "client": "",
            "acknowledged_at_0": "",
            "acknowledged_at_1": "",
            "acknowledged_by": "",
            "acknowledgement_note": "",
            "emails-TOTAL_FORMS": "0",
            "emails-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _chart_downtime(org_a, now) == 2  # one terminal down those two days


@pytest.mark.django_db
def test_the_demo_seeding_drops_the_figures_kept_before_it():
    organization = OrganizationFactory()
    UserFactory(username=USERS[-1][0])
    TerminalFactory.create_batch(6, organization=organization)
    now = timezone.now()
    tasks.warm_fleet_charts()
    assert figures.availability_summary(organization=organization, now=now).downtime == {
        key: timedelta(0) for key in figures.WINDOWS
    }

    SeedDemo()._seed_console(organization, random.Random(7))

    later = timezone.now()
    availability = figures.availability_summary(organization=organization, now=later)
    assert availability.downtime["30d"] > timedelta(0)
    assert availability.downtime == _by_hand(organization, later)
    points = figures.fleet_history(organization=organization, window="30d", now=later)
    assert sum(point.disconnected for point in points) > 0
