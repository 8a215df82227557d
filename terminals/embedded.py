"""The heartbeat and the sweep for the embedded SQLite database (`make run` with nothing
set). SQLite lets one writer in at a time (the transactions take the write lock at BEGIN), so
reading the rows and then writing them inside one transaction is already a compare-and-set;
PostgreSQL gets single set-based statements instead (services.py, alerts.py). Both keep the
same rules and issue a number of statements that does not grow with the rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, F, Q, Value, When

from contacts.models import Contact
from tenancy.models import Organization
from terminals.models import AlertEmail, Episode, Terminal


def heartbeats_record(
    *, organization: Organization, identifiers: list[str], now: datetime, next_attempt_at: datetime
) -> tuple[list[str], list[int], int]:
    """(unknown identifiers, reconnected-email ids, closed episodes)."""
    grace = timedelta(minutes=organization.alert_grace_minutes)
    terminals = Terminal.objects.for_org(organization)
    status = dict(terminals.filter(identifier__in=identifiers).values_list("identifier", "status"))
    connected = [i for i, s in status.items() if s == Terminal.Status.CONNECTED]
    others = [i for i, s in status.items() if s != Terminal.Status.CONNECTED]
    terminals.filter(identifier__in=connected).update(
        last_heartbeat_at=now,
        updated_at=now,
        alert_after=Case(
            When(
                Q(alert_after__isnull=True) | Q(alert_after__lt=now + grace / 2),
                then=Value(now + grace),
            ),
            default=F("alert_after"),
        ),
    )
    unknown = sorted(set(identifiers) - status.keys())
    if not others:
        return unknown, [], 0
    revived = list(terminals.filter(identifier__in=others).values_list("id", flat=True))
    terminals.filter(id__in=revived).update(
        last_heartbeat_at=now, updated_at=now, alert_after=now + grace, status="connected"
    )
    episodes = list(Episode.objects.filter(terminal_id__in=revived, ended_at__isnull=True))
    Episode.objects.filter(id__in=[e.id for e in episodes]).update(ended_at=now)
    email_ids: list[int] = []
    if organization.send_reconnected_email and episodes:
        emails = _outbox_rows(episodes, AlertEmail.Kind.RECONNECTED, now, next_attempt_at)
        email_ids = [e.id for e in AlertEmail.objects.bulk_create(emails, ignore_conflicts=False)]
    return unknown, email_ids, len(episodes)


def sweep(*, now: datetime, next_attempt_at: datetime) -> tuple[int, list[tuple[int, int]], int]:
    """(new episodes, (email id, organization id) pairs, refreshed deadlines)."""
    candidates = list(
        Terminal.objects.filter(status=Terminal.Status.CONNECTED, alert_after__lte=now)
        .select_related("organization")
        .only("id", "organization", "client_id", "last_heartbeat_at", "alert_after")
    )
    stale, alive = [], []
    for terminal in candidates:
        deadline = (
            terminal.last_heartbeat_at
            + timedelta(minutes=terminal.organization.alert_grace_minutes)
            if terminal.last_heartbeat_at
            else None
        )
        if deadline is None or deadline <= now:
            stale.append(terminal)
        else:
            terminal.alert_after = deadline
            alive.append(terminal)
    Terminal.objects.bulk_update(alive, ["alert_after"], batch_size=500)
    Terminal.objects.filter(id__in=[t.id for t in stale]).update(
        status=Terminal.Status.DISCONNECTED, updated_at=now
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                organization_id=t.organization_id,
                terminal_id=t.id,
                client_id=t.client_id,
                started_at=now,
                last_heartbeat_at=t.last_heartbeat_at,
            )
            for t in stale
        ],
        batch_size=500,
    )
    emails = AlertEmail.objects.bulk_create(
        _outbox_rows(episodes, AlertEmail.Kind.DISCONNECTED, now, next_attempt_at), batch_size=500
    )
    return len(episodes), [(e.id, e.organization_id) for e in emails], len(alive)


def _outbox_rows(
    episodes: list[Episode], kind: str, now: datetime, next_attempt_at: datetime
) -> list[AlertEmail]:
    by_client: dict[int, list[Contact]] = {}
    contacts = Contact.objects.filter(
        client_id__in={e.client_id for e in episodes if e.client_id}, auto_dispatch=True
    ).exclude(email="")
    for contact in contacts:
        by_client.setdefault(contact.client_id, []).append(contact)
    return [
        AlertEmail(
            organization_id=episode.organization_id,
            episode=episode,
            kind=kind,
            contact=contact,
            recipient=contact.email,
            next_attempt_at=next_attempt_at,
        )
        for episode in episodes
        for contact in by_client.get(episode.client_id, [])
        if contact.organization_id == episode.organization_id
    ]
