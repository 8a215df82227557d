"""The alert outbox, modelled on Healthchecks' Flip: one AlertEmail row per e-mail, written
in the transaction that opened or closed the episode, enqueued once that commits, claimed by
one worker at a time, sent with a stable Message-ID and retried with backoff. The same code
on PostgreSQL and SQLite."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from contacts.models import Contact
from terminals.models import SECRET_MARK, AlertEmail, Episode

# One message per 250 e-mails: few round trips to the broker, and a worker still sends
# a chunk over one SMTP connection in well under its lease.
ENQUEUE_CHUNK = 250
INSERT_BATCH = 1000
# How long a worker that has just talked to the SMTP server waits for the database to come
# back before giving up its mark (about a minute in all).
MARK_RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30)

logger = logging.getLogger(__name__)


def alert_lease() -> timedelta:
    """How long a claimed (or just enqueued) e-mail belongs to its worker before another may
    take it over; longer than any SMTP conversation can last."""
    return timedelta(seconds=settings.ALERT_EMAIL_LEASE_SECONDS)


def alert_retry_delay(attempts: int) -> timedelta:
    base = settings.ALERT_EMAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def alert_emails_queue(
    *, episodes: list[Episode], kind: str, now: datetime
) -> list[tuple[int, int]]:
    """Writes the outbox rows of `episodes` (the one insert rule, for both kinds and both
    databases): one e-mail per address per episode, to the auto-dispatch contacts of the
    episode's client in its organization, however many contacts carry the address and however
    they spell it. A row already there is kept, not an error. Returns the (e-mail id,
    organization id) pairs of these episodes' rows of this kind."""
    by_client: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    contacts = (
        Contact.objects.filter(
            client_id__in={episode.client_id for episode in episodes if episode.client_id},
            auto_dispatch=True,
        )
        .exclude(email="")
        .order_by("id")
        .values_list("id", "organization_id", "client_id", "email")
    )
    for contact_id, organization_id, client_id, email in contacts:
        # contact_prepare lower-cases new addresses; older rows may not be, and the unique
        # (episode, kind, recipient) constraint compares exactly: fold them here.
        by_client[organization_id, client_id].setdefault(email.strip().lower(), contact_id)
    rows = [
        AlertEmail(
            organization_id=episode.organization_id,
            episode_id=episode.pk,
            kind=kind,
            contact_id=contact_id,
            recipient=recipient,
            next_attempt_at=now + alert_lease(),
        )
        for episode in episodes
        for recipient, contact_id in by_client[episode.organization_id, episode.client_id].items()
    ]
    if not rows:
        return []
    AlertEmail.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    # ignore_conflicts gives the rows no ids back: read them, through the unique index.
    return list(
        AlertEmail.objects.filter(episode_id__in=[e.pk for e in episodes], kind=kind)
        .order_by("id")
        .values_list("id", "organization_id")
    )


def outbox_message_queue(
    *,
    organization_id: int,
    recipient: str,
    subject: str,
    body: str,
    contact_id: int | None = None,
    secret: str = "",
) -> AlertEmail:
    """Queues a message that is not an alert (AlertEmail.Kind.MESSAGE: subject and body
    sent as written) for the same delivery, retries and history as the alerts; it is
    enqueued once the caller's transaction commits. A `secret` the body contains (a link
    that logs in) is kept apart and erased once the e-mail is sent or given up."""
    if secret:
        body = body.replace(secret, SECRET_MARK)
    email = AlertEmail.objects.create(
        organization_id=organization_id,
        kind=AlertEmail.Kind.MESSAGE,
        contact_id=contact_id,
        recipient=recipient,
        subject=subject,
        body=body,
        secret=secret,
        next_attempt_at=timezone.now() + alert_lease(),
    )
    alert_emails_enqueue([(email.pk, organization_id)])
    return email


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
        try:
            for organization_id, ids in by_organization.items():
                for start in range(0, len(ids), ENQUEUE_CHUNK):
                    deliver_alert_emails.delay(ids[start : start + ENQUEUE_CHUNK], organization_id)
        except BrokerUnavailable:
            # The rows are committed: the request or the sweep that wrote them must not fail
            # now, and the sweep hands them out once the broker is back and their lease ran out.
            logger.exception("the broker is unreachable; the sweep will enqueue these e-mails")

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


def _waiting_out_the_database(write: Callable[[], int]) -> int:
    """Runs an outbox write, waiting out a database restart. Once the SMTP server has
    accepted an e-mail, the mark is all that stands between it and a second copy when its
    lease runs out: a restart of a few seconds must not cost it."""
    for delay in MARK_RETRY_DELAYS:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block:
                raise
            logger.warning("the database is unreachable; the outbox write waits %ss", delay)
            # The next query opens a new connection.
            connection.close()
            time.sleep(delay)
    return write()


def _still_claimed(email: AlertEmail) -> bool:
    """Renews the lease of a claimed row just before its SMTP conversation. False when the
    lease ran out meanwhile (a long chunk behind a slow server) and the row went back to the
    queue or to another worker: sending it here too would send it twice."""
    return bool(
        _waiting_out_the_database(
            lambda: AlertEmail.objects.filter(
                pk=email.pk, status=AlertEmail.Status.SENDING, attempts=email.attempts
            ).update(next_attempt_at=timezone.now() + alert_lease())
        )
    )


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
    _waiting_out_the_database(
        lambda: AlertEmail.objects.filter(
            pk=email.pk, status=AlertEmail.Status.SENDING, attempts=email.attempts
        ).update(
            status=status,
            next_attempt_at=next_attempt_at,
            last_error=error[:2000],
            **({"secret": ""} if status == AlertEmail.Status.FAILED else {}),
        )
    )


def alert_emails_deliver(*, organization_id: int, ids: list[int]) -> DeliveryResult:
    """Sends the claimable e-mails among `ids` over one SMTP connection. Each row is marked
    sent right after the server accepted it; a failure schedules a retry with backoff, and
    after the last attempt the row shows as failed on the terminal page.

    At least once, and once but for one instant: a worker that dies after the server
    accepted an e-mail and before its mark leaves the row claimed, and the e-mail goes out
    again, with the same Message-ID, once the lease has run out."""
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
    pdf_cache: dict[int, bytes | Exception] = {}
    try:
        for email in emails:
            try:
                # A part that cannot be rendered is left out, not fatal (see alert_message).
                built = alert_message(email, connection=mail_connection, pdf_cache=pdf_cache)
                if not _still_claimed(email):
                    continue
                built.message.send()
            # Any SMTP error, or a message that cannot be built at all, is retried; none may
            # lose the e-mail.
            except Exception as exc:
                _record_failure(email, f"{type(exc).__name__}: {exc}", result)
                continue
            _waiting_out_the_database(
                lambda email=email, built=built: AlertEmail.objects.filter(pk=email.pk).update(
                    status=AlertEmail.Status.SENT,
                    sent_at=timezone.now(),
                    last_error="",
                    render_problems="\n".join(built.problems)[:2000],
                    secret="",
                )
            )
            result.sent.append(email.pk)
    finally:
        with suppress(OSError):
            mail_connection.close()
    return result
