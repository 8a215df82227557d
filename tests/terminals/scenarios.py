"""Heartbeat and sweep scenarios that run on either database: in the test process on
PostgreSQL, and in a `manage.py shell` of their own on the embedded SQLite database (see
test_monitoring.py). Each builds its own rows and answers plain JSON data to assert on."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contacts.models import Contact
from terminals.heartbeats import heartbeats_record
from terminals.models import AlertEmail, Episode, Terminal
from terminals.sweep import alert_sweep
from tests.factories import ClientFactory, ContactFactory, OrganizationFactory, TerminalFactory


def _stale(organization, client=None, **fields) -> Terminal:
    return TerminalFactory(
        organization=organization,
        client=client,
        last_heartbeat_at=timezone.now() - timedelta(minutes=20),
        alert_after=timezone.now() - timedelta(minutes=1),
        **fields,
    )


def _recipients(terminal: Terminal, kind: str) -> list[str]:
    return sorted(
        AlertEmail.objects.filter(episode__terminal=terminal, kind=kind).values_list(
            "recipient", flat=True
        )
    )


def heartbeats() -> dict:
    mine_org = OrganizationFactory(alert_grace_minutes=15)
    other_org = OrganizationFactory()
    mine = [
        TerminalFactory(organization=mine_org, status=Terminal.Status.NEVER_SEEN, alert_after=None)
        for _ in range(3)
    ]
    soon = TerminalFactory(organization=mine_org, alert_after=timezone.now() + timedelta(minutes=2))
    later = timezone.now() + timedelta(minutes=14)
    fine = TerminalFactory(organization=mine_org, alert_after=later)
    foreign = TerminalFactory(organization=other_org, identifier="SHARED-1", last_heartbeat_at=None)

    result = heartbeats_record(
        organization=mine_org,
        identifiers=[t.identifier for t in [*mine, soon, fine]] + [" SHARED-1", "NOPE", "  "],
    )

    for terminal in [*mine, soon, fine, foreign]:
        terminal.refresh_from_db()
    return {
        "received": result.received,
        "updated": result.updated,
        "unknown": result.unknown,
        "connected": [t.status for t in mine] == ["connected"] * 3,
        # Heard from now: the deadline is the heartbeat plus the grace period...
        "deadlines_exact": all(
            t.alert_after == t.last_heartbeat_at + timedelta(minutes=15) for t in [*mine, soon]
        ),
        # ...except where the stored one is still more than half a grace period away.
        "far_deadline_kept": fine.alert_after == later,
        "foreign_untouched": foreign.last_heartbeat_at is None,
    }


def sweep_shared_addresses() -> dict:
    """Organization A: one client whose auto-dispatch contacts share an address (spelled in
    two cases, as rows written before the lower-case rule may be), plus a second address.
    Organization B: a stale terminal of its own. Both are alerted, once per address."""
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    client_a = ClientFactory(organization=org_a)
    ContactFactory(client=client_a, email="ana@cliente.com.br")
    shared = ContactFactory(client=client_a, email="ana@cliente.com.br")
    # Written past the row rule, as an old row or a raw import would be.
    Contact.objects.filter(pk=shared.pk).update(email="Ana@Cliente.com.br")
    ContactFactory(client=client_a, email="bruno@cliente.com.br")
    ContactFactory(client=client_a, email="off@cliente.com.br", auto_dispatch=False)
    client_b = ClientFactory(organization=org_b)
    ContactFactory(client=client_b, email="carla@outra.com.br")
    stale_a, stale_b = _stale(org_a, client_a), _stale(org_b, client_b)
    fresh = TerminalFactory(organization=org_a, alert_after=timezone.now() + timedelta(minutes=5))
    never = TerminalFactory(organization=org_a, status=Terminal.Status.NEVER_SEEN, alert_after=None)

    first = alert_sweep()
    second = alert_sweep()

    for terminal in (stale_a, stale_b, fresh, never):
        terminal.refresh_from_db()
    return {
        "new_episodes": first.new_episodes,
        "queued": first.queued,
        "failed_organizations": first.failed_organizations,
        "email_ids": len(first.email_ids),
        "a": _recipients(stale_a, AlertEmail.Kind.DISCONNECTED),
        "b": _recipients(stale_b, AlertEmail.Kind.DISCONNECTED),
        "statuses": [t.status for t in (stale_a, stale_b, fresh, never)],
        "second_sweep": [second.new_episodes, second.queued],
        "open_episodes": Episode.objects.filter(ended_at__isnull=True).count(),
    }


def sweep_refreshes_a_live_candidate() -> dict:
    organization = OrganizationFactory(alert_grace_minutes=15)
    heard = timezone.now() - timedelta(minutes=10)
    terminal = TerminalFactory(
        organization=organization, last_heartbeat_at=heard, alert_after=heard - timedelta(minutes=1)
    )

    result = alert_sweep()

    terminal.refresh_from_db()
    return {
        "new_episodes": result.new_episodes,
        "refreshed": result.refreshed,
        "status": terminal.status,
        "deadline_exact": terminal.alert_after == heard + timedelta(minutes=15),
    }


def reconnection() -> dict:
    organization = OrganizationFactory()
    quiet = OrganizationFactory(send_reconnected_email=False)
    client = ClientFactory(organization=organization)
    ContactFactory(client=client, email="ana@cliente.com.br")
    ContactFactory(client=client, email="ANA@cliente.com.br")
    terminal = _stale(organization, client)
    quiet_client = ClientFactory(organization=quiet)
    ContactFactory(client=quiet_client)
    quiet_terminal = _stale(quiet, quiet_client)
    alert_sweep()

    result = heartbeats_record(organization=organization, identifiers=[terminal.identifier])
    quiet_result = heartbeats_record(organization=quiet, identifiers=[quiet_terminal.identifier])

    terminal.refresh_from_db()
    return {
        "reconnected": [result.reconnected, quiet_result.reconnected],
        "email_ids": [len(result.email_ids), len(quiet_result.email_ids)],
        "recipients": _recipients(terminal, AlertEmail.Kind.RECONNECTED),
        "status": terminal.status,
        "open_episodes": Episode.objects.filter(ended_at__isnull=True).count(),
    }
