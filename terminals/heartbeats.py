"""Heartbeats: terminals heard from, each batch in a number of statements that does not grow
with its size. The PostgreSQL statements and the SQLite branch (`make run`) sit side by side;
the deadline rule (models.alert_deadline), the closing of episodes and the outbox insert are
shared."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import OperationalError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from tenancy.models import Organization
from terminals.models import AlertEmail, Episode, Terminal, alert_deadline
from terminals.outbox import alert_emails_enqueue, alert_emails_queue

DEADLOCK_RETRIES = 3


@dataclass
class HeartbeatResult:
    received: int
    updated: int
    unknown: list[str]
    reconnected: int = 0
    email_ids: list[int] = field(default_factory=list)


def heartbeats_record(*, organization: Organization, identifiers: list[str]) -> HeartbeatResult:
    """Marks every known terminal of `identifiers` as heard from now, and reports the
    identifiers the organization has no terminal for. A terminal that was disconnected
    closes its episode and queues the "reconnected" e-mails."""
    wanted = sorted({identifier.strip() for identifier in identifiers if identifier.strip()})
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                return _heartbeats_record(organization=organization, identifiers=wanted)
        except OperationalError as exc:
            # Two batches naming the same terminals may lock them in opposite orders;
            # PostgreSQL aborts one of them, which simply runs again.
            if not isinstance(exc.__cause__, DeadlockDetected) or attempt == DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _heartbeats_record(*, organization: Organization, identifiers: list[str]) -> HeartbeatResult:
    now = timezone.now()
    if connection.vendor == "postgresql":
        unknown, revived = _record_postgresql(organization, identifiers, now)
    else:
        unknown, revived = _record_sqlite(organization, identifiers, now)
    result = HeartbeatResult(
        received=len(identifiers), updated=len(identifiers) - len(unknown), unknown=unknown
    )
    if revived:
        result.reconnected, email_ids = _close_episodes(organization, revived, now)
        result.email_ids = [email_id for email_id, _ in email_ids]
        alert_emails_enqueue(email_ids)
    return result


# A heartbeat moves alert_after only once it comes within half a grace period: most
# heartbeats then change no indexed column, and PostgreSQL updates the row in place (HOT).
# alert_after stays a lower bound of the real deadline; the sweep puts the exact one back.
def _refresh_before(organization: Organization, now: datetime) -> datetime:
    return now + (alert_deadline(now, organization=organization) - now) / 2


# The hot path: terminals already connected.
_HEARTBEAT_SQL = """
WITH hb AS (
    SELECT unnest(%(identifiers)s::text[]) AS identifier
), updated AS (
    UPDATE terminals_terminal t
    SET last_heartbeat_at = %(now)s, updated_at = %(now)s,
        alert_after = CASE
            WHEN coalesce(t.alert_after, '-infinity') < %(refresh_before)s THEN %(alert_after)s
            ELSE t.alert_after
        END
    FROM hb
    WHERE t.organization_id = %(organization_id)s AND t.identifier = hb.identifier
      AND t.status = 'connected'
    RETURNING t.identifier
)
SELECT coalesce(array_agg(identifier), '{}') FROM hb
WHERE identifier NOT IN (SELECT identifier FROM updated)
"""

# The rest: never seen, disconnected (perhaps by a sweep that committed a moment ago: this
# statement's fresh snapshot sees it), or unknown.
_HEARTBEAT_REST_SQL = """
WITH hb AS (
    SELECT unnest(%(identifiers)s::text[]) AS identifier
), updated AS (
    UPDATE terminals_terminal t
    SET last_heartbeat_at = %(now)s, updated_at = %(now)s, alert_after = %(alert_after)s,
        status = 'connected', disconnected_since = NULL
    FROM hb
    WHERE t.organization_id = %(organization_id)s AND t.identifier = hb.identifier
    RETURNING t.id, t.identifier
)
SELECT coalesce(array_agg(id), '{}'), coalesce(array_agg(identifier), '{}') FROM updated
"""


def _record_postgresql(
    organization: Organization, identifiers: list[str], now: datetime
) -> tuple[list[str], list[int]]:
    """(unknown identifiers, ids of the terminals that were not connected)."""
    params = {
        "identifiers": identifiers,
        "organization_id": organization.pk,
        "now": now,
        "alert_after": alert_deadline(now, organization=organization),
        "refresh_before": _refresh_before(organization, now),
    }
    with connection.cursor() as cursor:
        cursor.execute(_HEARTBEAT_SQL, params)
        rest = cursor.fetchone()[0]
        if not rest:
            return [], []
        cursor.execute(_HEARTBEAT_REST_SQL, {**params, "identifiers": rest})
        revived, found = cursor.fetchone()
    return sorted(set(rest) - set(found)), list(revived)


def _record_sqlite(
    organization: Organization, identifiers: list[str], now: datetime
) -> tuple[list[str], list[int]]:
    """The same two steps for SQLite, which has no arrays to join with. Its transactions take
    the write lock at BEGIN, so the statuses read first cannot change before the updates."""
    terminals = Terminal.objects.for_org(organization)
    status = dict(terminals.filter(identifier__in=identifiers).values_list("identifier", "status"))
    connected = [i for i, s in status.items() if s == Terminal.Status.CONNECTED]
    others = [i for i, s in status.items() if s != Terminal.Status.CONNECTED]
    deadline = alert_deadline(now, organization=organization)
    terminals.filter(identifier__in=connected).update(
        last_heartbeat_at=now,
        updated_at=now,
        alert_after=Case(
            When(
                Q(alert_after__isnull=True) | Q(alert_after__lt=_refresh_before(organization, now)),
                then=Value(deadline),
            ),
            default=F("alert_after"),
        ),
    )
    revived = list(terminals.filter(identifier__in=others).values_list("id", flat=True))
    terminals.filter(id__in=revived).update(
        last_heartbeat_at=now,
        updated_at=now,
        alert_after=deadline,
        status=Terminal.Status.CONNECTED,
        disconnected_since=None,
    )
    return sorted(set(identifiers) - status.keys()), revived


def _close_episodes(
    organization: Organization, terminal_ids: list[int], now: datetime
) -> tuple[int, list[tuple[int, int]]]:
    """(episodes closed, their "reconnected" e-mails). Statements of their own on purpose:
    under READ COMMITTED each takes a fresh snapshot, so they see the episode a concurrent
    sweep committed while this transaction waited for the terminals' row locks."""
    episodes = list(
        Episode.objects.for_org(organization)
        .filter(terminal_id__in=terminal_ids, ended_at__isnull=True)
        .select_for_update()
        .only("id", "organization_id", "client_id")
    )
    if not episodes:
        return 0, []
    Episode.objects.filter(id__in=[episode.pk for episode in episodes]).update(ended_at=now)
    if not organization.send_reconnected_email:
        return len(episodes), []
    emails = alert_emails_queue(episodes=episodes, kind=AlertEmail.Kind.RECONNECTED, now=now)
    return len(episodes), emails
