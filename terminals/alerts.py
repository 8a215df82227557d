"""Disconnected-terminal alerts, modelled on Healthchecks: a stored deadline
(`Terminal.alert_after`), a compare-and-set flip that only one sweep can win, an Episode per
flip and an outbox row per e-mail written in the same statement, each row claimed once."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from terminals import embedded
from terminals.models import AlertEmail

# One message per 250 e-mails: few round trips to the broker, and a worker still sends
# a chunk over one SMTP connection in well under its lease.
ENQUEUE_CHUNK = 250


def alert_lease() -> timedelta:
    """How long a claimed (or just enqueued) e-mail belongs to its worker before another may
    take it over; longer than any SMTP conversation can last."""
    return timedelta(seconds=settings.ALERT_EMAIL_LEASE_SECONDS)


def alert_retry_delay(attempts: int) -> timedelta:
    base = settings.ALERT_EMAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class SweepResult:
    new_episodes: int = 0
    queued: int = 0
    redispatched: int = 0
    refreshed: int = 0
    email_ids: list[tuple[int, int]] = field(default_factory=list)


# The WHERE status = 'connected' is the compare-and-set: two overlapping sweeps both reach a
# stale row, the second waits for the first's row lock, re-checks, and skips it. The
# conditions name the terminal's own columns so that re-check also sees a heartbeat that
# committed meanwhile. alert_after is a lower bound (heartbeats move it lazily): candidates
# still alive only get their exact deadline back.
_SWEEP_SQL = """
WITH refreshed AS (
    UPDATE terminals_terminal t
    SET alert_after = t.last_heartbeat_at + make_interval(mins => o.alert_grace_minutes)
    FROM tenancy_organization o
    WHERE o.id = t.organization_id AND t.status = 'connected' AND t.alert_after <= %(now)s
      AND t.last_heartbeat_at + make_interval(mins => o.alert_grace_minutes) > %(now)s
    RETURNING t.id
), flipped AS (
    UPDATE terminals_terminal t
    SET status = 'disconnected', updated_at = %(now)s
    FROM tenancy_organization o
    WHERE o.id = t.organization_id AND t.status = 'connected' AND t.alert_after <= %(now)s
      AND coalesce(t.last_heartbeat_at, '-infinity')
          + make_interval(mins => o.alert_grace_minutes) <= %(now)s
    RETURNING t.id, t.organization_id, t.client_id, t.last_heartbeat_at
), opened AS (
    INSERT INTO terminals_episode
        (code, organization_id, terminal_id, client_id, started_at, last_heartbeat_at)
    SELECT gen_random_uuid(), organization_id, id, client_id, %(now)s, last_heartbeat_at
    FROM flipped
    RETURNING id, organization_id, client_id
), queued AS (
    INSERT INTO terminals_alertemail
        (code, organization_id, episode_id, kind, contact_id, recipient, status, attempts,
         next_attempt_at, last_error, created_at)
    SELECT gen_random_uuid(), o.organization_id, o.id, 'disconnected', c.id, c.email,
           'pending', 0, %(next_attempt_at)s, '', %(now)s
    FROM opened o
    JOIN contacts_contact c
      ON c.client_id = o.client_id AND c.organization_id = o.organization_id
    WHERE c.auto_dispatch AND c.email <> ''
    RETURNING id, organization_id
)
SELECT
    (SELECT count(*) FROM opened),
    (SELECT coalesce(array_agg(id), '{}') FROM queued),
    (SELECT coalesce(array_agg(organization_id), '{}') FROM queued),
    (SELECT count(*) FROM refreshed)
"""


def alert_sweep(*, now: datetime | None = None, redispatch_limit: int = 5000) -> SweepResult:
    """Turns every connected terminal past its deadline into a disconnection episode with
    its outbox e-mails (one statement), re-dispatches overdue e-mails (one more), and
    enqueues delivery once both have committed."""
    now = now or timezone.now()
    next_attempt_at = now + alert_lease()
    result = SweepResult()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_SWEEP_SQL, {"now": now, "next_attempt_at": next_attempt_at})
                result.new_episodes, ids, organization_ids, result.refreshed = cursor.fetchone()
            queued = list(zip(ids, organization_ids, strict=True))
        else:
            result.new_episodes, queued, result.refreshed = embedded.sweep(
                now=now, next_attempt_at=next_attempt_at
            )
        result.queued = len(queued)
        redispatched = _redispatch(now=now, next_attempt_at=next_attempt_at, limit=redispatch_limit)
        result.redispatched = len(redispatched)
        result.email_ids = queued + redispatched
        alert_emails_enqueue(result.email_ids)
    return result


def _redispatch(*, now: datetime, next_attempt_at: datetime, limit: int) -> list[tuple[int, int]]:
    """E-mails whose task never ran (broker down) or whose worker died mid-send (lease run
    out). Moving next_attempt_at marks them as enqueued again, so the next sweep leaves them."""
    due = list(
        AlertEmail.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=[AlertEmail.Status.PENDING, AlertEmail.Status.SENDING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("id", "organization_id")[:limit]
    )
    if due:
        AlertEmail.objects.filter(id__in=[email_id for email_id, _ in due]).update(
            status=AlertEmail.Status.PENDING, next_attempt_at=next_attempt_at
        )
    return due


def alert_emails_enqueue(email_ids: list[tuple[int, int]]) -> None:
    """Hands (email id, organization id) pairs to the workers in chunks per organization,
    once the transaction that wrote them has committed. A lost message loses nothing: once
    the row's lease has run out, the next sweep enqueues it again."""
    if not email_ids:
        return
    from terminals.tasks import deliver_alert_emails  # the tasks module imports this one

    by_organization: dict[int, list[int]] = defaultdict(list)
    for email_id, organization_id in email_ids:
        by_organization[organization_id].append(email_id)

    def enqueue() -> None:
        for organization_id, ids in by_organization.items():
            for start in range(0, len(ids), ENQUEUE_CHUNK):
                deliver_alert_emails.delay(ids[start : start + ENQUEUE_CHUNK], organization_id)

    transaction.on_commit(enqueue)


def alert_emails_claim(*, organization_id: int, ids: list[int]) -> list[AlertEmail]:
    """Takes the pending rows among `ids` for this worker (compare-and-set on the status);
    a row another worker holds, or that went out already, is not returned."""
    with transaction.atomic():
        # Rows another worker is claiming right now are skipped, not waited for.
        claimed = list(
            AlertEmail.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, organization_id=organization_id, status=AlertEmail.Status.PENDING)
            .values_list("id", flat=True)
        )
        AlertEmail.objects.filter(id__in=claimed).update(
            status=AlertEmail.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=timezone.now() + alert_lease(),
        )
    return list(
        AlertEmail.objects.filter(id__in=claimed)
        .select_related(
            "organization",
            "episode__terminal__device_type",
            "episode__client",
            "contact",
        )
        .order_by("episode_id", "id")
    )


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry_ids: list[int] = field(default_factory=list)
    retry_in: timedelta | None = None


def _record_failure(email: AlertEmail, error: str, result: DeliveryResult) -> None:
    now = timezone.now()
    if email.attempts >= settings.ALERT_EMAIL_MAX_ATTEMPTS:
        status, next_attempt_at = AlertEmail.Status.FAILED, now
        result.failed.append(email.pk)
    else:
        delay = alert_retry_delay(email.attempts)
        status, next_attempt_at = AlertEmail.Status.PENDING, now + delay
        result.retry_ids.append(email.pk)
        result.retry_in = min(result.retry_in or delay, delay)
    AlertEmail.objects.filter(pk=email.pk, status=AlertEmail.Status.SENDING).update(
        status=status, next_attempt_at=next_attempt_at, last_error=error[:2000]
    )


def alert_emails_deliver(*, organization_id: int, ids: list[int]) -> DeliveryResult:
    """Sends the claimable e-mails among `ids` over one SMTP connection. Each row is marked
    sent right after the server accepted it; a failure schedules a retry with backoff, and
    after the last attempt the row shows as failed on the terminal page."""
    from django.core.mail import get_connection

    from terminals.emails import alert_message

    result = DeliveryResult()
    emails = alert_emails_claim(organization_id=organization_id, ids=ids)
    if not emails:
        return result
    mail_connection = get_connection(fail_silently=False)
    try:
        mail_connection.open()
    except OSError as exc:
        for email in emails:
            _record_failure(email, f"{type(exc).__name__}: {exc}", result)
        return result
    pdf_cache: dict[int, bytes] = {}
    try:
        for email in emails:
            try:
                message = alert_message(email, connection=mail_connection, pdf_cache=pdf_cache)
                message.send()
            # Any SMTP or rendering error is retried; none may lose the e-mail.
            except Exception as exc:
                _record_failure(email, f"{type(exc).__name__}: {exc}", result)
                continue
            AlertEmail.objects.filter(pk=email.pk).update(
                status=AlertEmail.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            result.sent.append(email.pk)
    finally:
        with suppress(OSError):
            mail_connection.close()
    return result
