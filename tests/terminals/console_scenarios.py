"""Console scenarios that run on either database (see test_console.py): availability from
the episodes and the sweep under maintenance windows. Each builds its own rows and answers
plain JSON data."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from terminals import figures, selectors, services
from terminals.models import AlertEmail, Episode, MaintenanceWindow, Terminal
from terminals.sweep import alert_sweep
from tests.factories import ClientFactory, ContactFactory, OrganizationFactory, TerminalFactory


def availability() -> dict:
    # Forty minutes past an hour of the local clock, in the past: the episodes below fall in
    # known buckets of the fleet chart (hours on the hour), whenever the test runs.
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0) - timedelta(minutes=20)
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization)
    flaky = TerminalFactory(organization=organization, client=client)
    down = TerminalFactory(
        organization=organization, client=client, status=Terminal.Status.DISCONNECTED
    )
    TerminalFactory(organization=organization)  # never down
    TerminalFactory(organization=organization, status=Terminal.Status.NEVER_SEEN)
    hour, day = timedelta(hours=1), timedelta(days=1)
    for started, ended in [
        (now - 3 * hour, now - 2 * hour),  # 1 h in every window
        (now - 3 * day, now - 3 * day + 12 * hour),  # 12 h in 7 d and 30 d
        (now - 31 * day, now - 29 * day),  # 1 d inside 30 d, the rest before it
        (now - 60 * day, now - 59 * day),  # before every window
    ]:
        Episode.objects.create(
            organization=organization,
            terminal=flaky,
            client=client,
            started_at=started,
            ended_at=ended,
        )
    Episode.objects.create(
        organization=organization,
        terminal=down,
        client=client,
        started_at=now - timedelta(minutes=30),
    )
    other = OrganizationFactory()
    Episode.objects.create(
        organization=other, terminal=TerminalFactory(organization=other), started_at=now - day
    )

    def hours(availability: figures.Availability) -> dict:
        return {
            key: round(value.total_seconds() / 3600, 2)
            for key, value in availability.downtime.items()
        }

    terminal = figures.availability_summary(organization=organization, terminal=flaky, now=now)
    by_client = figures.availability_summary(organization=organization, client=client, now=now)
    fleet = figures.availability_summary(organization=organization, now=now)
    many = figures.availability_by_terminal(
        organization=organization, terminal_ids=[flaky.pk, down.pk], now=now
    )
    history = figures.fleet_history(organization=organization, window="24h", now=now)
    return {
        "terminal": hours(terminal),
        "terminal_24h": round(terminal.ratio["24h"], 4),
        "client": hours(by_client),
        "client_terminals": by_client.terminals,
        "fleet": hours(fleet),
        "fleet_terminals": fleet.terminals,
        "fleet_30d": round(fleet.ratio["30d"], 4),
        "many": {str(pk == flaky.pk): hours(value) for pk, value in many.items()},
        "history_down": [point.disconnected for point in history],
        "history_up": history[-1].connected,
    }


def fleet_availability() -> dict:
    """The fleet's availability from the hours kept in the cache, against the one counted
    with the cache empty and the episodes' overlaps added up one by one: on the local hours
    of a zone whose hours fall on UTC's and of one whose hours fall at half past (India)."""
    hour, day, minute = timedelta(hours=1), timedelta(days=1), timedelta(minutes=1)
    results = {}
    for zone in ("America/Sao_Paulo", "Asia/Kolkata"):
        with timezone.override(ZoneInfo(zone)):
            now = timezone.localtime().replace(minute=40, second=0, microsecond=0) - 2 * hour
            organization = OrganizationFactory()
            spans = [
                # Ends as the first whole hour of the 24 h window begins: 20 min in it.
                (now - day - 10 * minute, now - day + 20 * minute),
                # Only inside the 30 d window: a day less 5 minutes.
                (now - 30 * day + 5 * minute, now - 29 * day),
                (now - 3 * hour, None),  # down for the last 3 h
            ]
            for started, ended in spans:
                Episode.objects.create(
                    organization=organization,
                    terminal=TerminalFactory(organization=organization),
                    started_at=started,
                    ended_at=ended,
                )
            figures.fleet_history_forget(organization=organization)
            cold = figures.availability_summary(organization=organization, now=now)
            warm = figures.availability_summary(organization=organization, now=now)
        by_hand = {
            key: sum(
                (
                    min(ended or now, now) - max(started, now - window)
                    for started, ended in spans
                    if ended is None or ended > now - window
                ),
                timedelta(0),
            )
            for key, window in figures.WINDOWS.items()
        }
        results[zone] = {
            "warm_is_cold": warm == cold,
            "by_hand": warm.downtime == by_hand,
            "hours": {
                key: round(value.total_seconds() / 3600, 2) for key, value in warm.downtime.items()
            },
        }
    return results


def maintenance_sweep() -> dict:
    """Three silent terminals, one in its own maintenance window, one in its client's and one
    in none; then the windows end and the sweep runs again."""
    now = timezone.now()
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization)
    ContactFactory(client=client, email="ops@cliente.com.br")
    # Another client's terminal: this client's window does not cover it.
    neighbour = ClientFactory(organization=organization)
    ContactFactory(client=neighbour, email="ops@vizinho.com.br")
    silent = {
        "own": TerminalFactory(organization=organization, client=client),
        "client": TerminalFactory(organization=organization, client=client),
        "none": TerminalFactory(organization=organization, client=neighbour),
    }
    # The client's window covers "own" too: a terminal may be under two windows at once.
    Terminal.objects.filter(pk__in=[t.pk for t in silent.values()]).update(
        last_heartbeat_at=now - timedelta(hours=1), alert_after=now - timedelta(minutes=30)
    )
    own = services.maintenance_create(
        organization=organization,
        actor=None,
        terminal=silent["own"],
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=1),
        reason="Troca de tela",
    )
    client_window = services.maintenance_create(
        organization=organization,
        actor=None,
        client=client,
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=1),
        reason="Reforma da loja",
    )

    def opened() -> list[str]:
        names = {t.pk: key for key, t in silent.items()}
        return sorted(names[pk] for pk in Episode.objects.values_list("terminal_id", flat=True))

    first = alert_sweep()
    during = {"opened": opened(), "queued": first.queued}
    in_maintenance = sorted(
        t.identifier for t in selectors.terminal_search(organization=organization, maintenance=True)
    )
    services.maintenance_end(organization=organization, window=client_window)
    second = alert_sweep()
    after_client = {"opened": opened(), "queued": second.queued}
    services.maintenance_end(organization=organization, window=own)
    third = alert_sweep()
    episode = Episode.objects.get(terminal=silent["own"])
    statuses = dict(
        Terminal.objects.filter(pk__in=[t.pk for t in silent.values()]).values_list(
            "identifier", "status"
        )
    )
    return {
        "during": during,
        "in_maintenance": in_maintenance
        == sorted([silent["own"].identifier, silent["client"].identifier]),
        "after_client": after_client,
        "after_own": {"opened": opened(), "queued": third.queued},
        "own_disconnected_since_is_episode_start": Terminal.objects.get(
            pk=silent["own"].pk
        ).disconnected_since
        == episode.started_at,
        "statuses": sorted(set(statuses.values())),
        "emails": AlertEmail.objects.filter(kind=AlertEmail.Kind.DISCONNECTED).count(),
        "windows_left": MaintenanceWindow.objects.filter(ends_at__gt=timezone.now()).count(),
    }
