from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from clients.models import Client
from tenancy.models import Organization
from terminals import embedded
from terminals.alerts import alert_emails_enqueue, alert_lease
from terminals.models import DeviceType, Terminal
from terminals.sanitize import sanitize_procedure

DEADLOCK_RETRIES = 3


def device_type_create(*, organization: Organization, name: str, reconnection_procedure: str):
    device_type = DeviceType(
        organization=organization,
        name=name.strip(),
        reconnection_procedure=sanitize_procedure(reconnection_procedure),
    )
    device_type.full_clean()
    device_type.save()
    return device_type


def device_type_update(
    *, device_type: DeviceType, name: str, reconnection_procedure: str
) -> DeviceType:
    device_type.name = name.strip()
    device_type.reconnection_procedure = sanitize_procedure(reconnection_procedure)
    device_type.full_clean()
    device_type.save()
    return device_type


def device_type_delete(*, device_type: DeviceType) -> None:
    """Raises ProtectedError while terminals still use the type."""
    device_type.delete()


def terminal_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The terminals' row rule, the one every writer applies (services, job import, admin
    import, seed, bench loaders): a trimmed identifier and one spelling (lower case) of the
    WVDS e-mail, the one a client's page compares with the client's."""
    prepared = dict(values)
    if "identifier" in prepared:
        prepared["identifier"] = (prepared["identifier"] or "").strip()
    if "email_wvds" in prepared:
        prepared["email_wvds"] = (prepared["email_wvds"] or "").strip().lower()
    return prepared


def _clean_terminal_fields(organization: Organization, fields: dict) -> dict:
    cleaned = terminal_prepare(fields)
    for key in ("device_type", "client"):
        related = cleaned.get(key)
        # Forms already limit the choices; this keeps the rule for every other caller.
        if related is not None and related.organization_id != organization.pk:
            raise ValueError(f"{key} belongs to another organization")
    return cleaned


def terminal_create(*, organization: Organization, **fields) -> Terminal:
    terminal = Terminal(organization=organization, **_clean_terminal_fields(organization, fields))
    terminal.full_clean()
    terminal.save()
    return terminal


def terminal_update(*, terminal: Terminal, **fields) -> Terminal:
    for key, value in _clean_terminal_fields(terminal.organization, fields).items():
        setattr(terminal, key, value)
    terminal.full_clean()
    terminal.save()
    return terminal


def terminal_delete(*, terminal: Terminal) -> None:
    terminal.delete()


def terminal_set_link(*, terminal: Terminal, client: Client, linked: bool) -> Terminal:
    """Links the terminal to `client` or unlinks it. Only a terminal sharing the client's
    WVDS e-mail may be linked; unlinking only touches a terminal linked to this client."""
    if client.organization_id != terminal.organization_id:
        raise ValueError("client belongs to another organization")
    if linked:
        if terminal.email_wvds != (client.email_wvds or "").strip().lower():
            raise ValueError("the terminal's WVDS e-mail differs from the client's")
        terminal.client = client
    elif terminal.client_id == client.pk:
        terminal.client = None
    terminal.save(update_fields=["client", "updated_at"])
    return terminal


@dataclass
class HeartbeatResult:
    received: int
    updated: int
    unknown: list[str]
    reconnected: int = 0
    email_ids: list[int] = field(default_factory=list)


# The hot path: terminals already connected. alert_after is a lower bound of the real deadline
# (last heartbeat + grace), moved forward only once it comes within half a grace period: most
# heartbeats then change no indexed column, so PostgreSQL updates the row in place (HOT).
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
        status = 'connected'
    FROM hb
    WHERE t.organization_id = %(organization_id)s AND t.identifier = hb.identifier
    RETURNING t.id, t.identifier
)
SELECT coalesce(array_agg(id), '{}'), coalesce(array_agg(identifier), '{}') FROM updated
"""

# A separate statement on purpose: under READ COMMITTED it takes a fresh snapshot, so it sees
# the episode a concurrent sweep committed while this transaction waited for the row lock.
_CLOSE_EPISODES_SQL = """
WITH closed AS (
    UPDATE terminals_episode e SET ended_at = %(now)s
    WHERE e.terminal_id = ANY(%(terminal_ids)s) AND e.ended_at IS NULL
    RETURNING e.id, e.client_id, e.organization_id
), queued AS (
    INSERT INTO terminals_alertemail
        (code, organization_id, episode_id, kind, contact_id, recipient, status, attempts,
         next_attempt_at, last_error, created_at)
    SELECT gen_random_uuid(), closed.organization_id, closed.id, 'reconnected', c.id, c.email,
           'pending', 0, %(next_attempt_at)s, '', %(now)s
    FROM closed
    JOIN contacts_contact c
      ON c.client_id = closed.client_id AND c.organization_id = closed.organization_id
    WHERE %(send_reconnected)s AND c.auto_dispatch AND c.email <> ''
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM closed), (SELECT coalesce(array_agg(id), '{}') FROM queued)
"""


def heartbeats_record(*, organization: Organization, identifiers: list[str]) -> HeartbeatResult:
    """Marks every known terminal of `identifiers` as heard from now with one set-based
    statement (two when some were not connected), and reports the identifiers the
    organization has no terminal for. A terminal that was disconnected closes its episode and
    queues the "reconnected" e-mails."""
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
    result = HeartbeatResult(received=len(identifiers), updated=len(identifiers), unknown=[])
    if connection.vendor == "postgresql":
        unknown, email_ids, result.reconnected = _heartbeats_record_sql(
            organization=organization, identifiers=identifiers, now=now
        )
    else:
        unknown, email_ids, result.reconnected = embedded.heartbeats_record(
            organization=organization,
            identifiers=identifiers,
            now=now,
            next_attempt_at=now + alert_lease(),
        )
    result.unknown, result.email_ids = unknown, email_ids
    result.updated -= len(unknown)
    alert_emails_enqueue([(email_id, organization.pk) for email_id in email_ids])
    return result


def _heartbeats_record_sql(
    *, organization: Organization, identifiers: list[str], now: datetime
) -> tuple[list[str], list[int], int]:
    grace = timedelta(minutes=organization.alert_grace_minutes)
    params = {
        "identifiers": identifiers,
        "organization_id": organization.pk,
        "now": now,
        "alert_after": now + grace,
        "refresh_before": now + grace / 2,
    }
    with connection.cursor() as cursor:
        cursor.execute(_HEARTBEAT_SQL, params)
        rest = cursor.fetchone()[0]
        if not rest:
            return [], [], 0
        cursor.execute(_HEARTBEAT_REST_SQL, {**params, "identifiers": rest})
        terminal_ids, found = cursor.fetchone()
        unknown = sorted(set(rest) - set(found))
        if not terminal_ids:
            return unknown, [], 0
        cursor.execute(
            _CLOSE_EPISODES_SQL,
            {
                "now": now,
                "next_attempt_at": now + alert_lease(),
                "terminal_ids": terminal_ids,
                "send_reconnected": organization.send_reconnected_email,
            },
        )
        reconnected, email_ids = cursor.fetchone()
    return unknown, list(email_ids), reconnected
