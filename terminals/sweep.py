"""The disconnected-terminal sweep, modelled on Healthchecks: a stored deadline
(`Terminal.alert_after`) with a partial index, a compare-and-set flip that only one sweep can
win, and an Episode plus its outbox e-mails written in the same transaction.

One code path for both databases. On PostgreSQL the flip's SELECT … FOR UPDATE is the
compare-and-set: a second sweep waits for the first one's row locks, re-checks the
conditions on the committed row and skips it. SQLite lets one writer in at a time (the
transactions take the write lock at BEGIN), so reading and then writing inside one
transaction is already a compare-and-set there."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from tenancy.models import Organization
from terminals.models import AlertEmail, Episode, Terminal, alert_deadline, in_maintenance
from terminals.outbox import alert_emails_enqueue, alert_emails_queue, alert_lease

logger = logging.getLogger(__name__)

# Terminals flipped per statement: bounds the statements' parameter lists, even when a whole
# fleet goes down at once.
FLIP_BATCH = 2000


@dataclass
class SweepResult:
    new_episodes: int = 0
    queued: int = 0
    redispatched: int = 0
    refreshed: int = 0
    email_ids: list[tuple[int, int]] = field(default_factory=list)
    failed_organizations: list[int] = field(default_factory=list)


def alert_sweep(*, now: datetime | None = None, redispatch_limit: int = 5000) -> SweepResult:
    """Turns every connected terminal past its deadline into a disconnection episode with
    its outbox e-mails, re-dispatches overdue e-mails, and enqueues delivery once each has
    committed. Each organization is swept in a transaction of its own: one organization's
    failure is logged and retried on the next sweep, and never holds back another's alerts."""
    now = now or timezone.now()
    result = SweepResult()
    overdue = Terminal.objects.filter(status=Terminal.Status.CONNECTED, alert_after__lte=now)
    organization_ids = overdue.order_by().values("organization_id").distinct()
    for organization in Organization.objects.filter(id__in=organization_ids).order_by("id"):
        try:
            with transaction.atomic():
                _sweep_organization(organization=organization, now=now, result=result)
        except DatabaseError:
            logger.exception("the sweep of organization %s failed", organization.pk)
            result.failed_organizations.append(organization.pk)
    with transaction.atomic():
        redispatched = _redispatch(now=now, limit=redispatch_limit)
        alert_emails_enqueue(redispatched)
    result.redispatched = len(redispatched)
    result.email_ids += redispatched
    return result


def _sweep_organization(*, organization: Organization, now: datetime, result: SweepResult) -> None:
    deadline = alert_deadline(F("last_heartbeat_at"), organization=organization)
    overdue = Terminal.objects.filter(
        organization=organization, status=Terminal.Status.CONNECTED, alert_after__lte=now
    )
    # alert_after is a lower bound (heartbeats move it lazily): candidates still alive only
    # get their exact deadline back.
    result.refreshed += overdue.filter(GreaterThan(deadline, now)).update(alert_after=deadline)
    # The conditions name the terminal's own columns, so the re-check after a lock wait also
    # sees a heartbeat that committed meanwhile. A terminal under maintenance stays as it is,
    # past its deadline: the first sweep after the window opens its episode, if still silent.
    stale = (
        overdue.filter(Q(last_heartbeat_at__isnull=True) | LessThanOrEqual(deadline, now))
        .exclude(in_maintenance(now))
        .select_for_update()
        .order_by("id")
        .values_list("id", "client_id", "last_heartbeat_at")
    )
    queued: list[tuple[int, int]] = []
    batch = list(stale[:FLIP_BATCH])
    while batch:
        Terminal.objects.filter(id__in=[terminal_id for terminal_id, _, _ in batch]).update(
            status=Terminal.Status.DISCONNECTED, disconnected_since=now, updated_at=now
        )
        episodes = Episode.objects.bulk_create(
            [
                Episode(
                    organization=organization,
                    terminal_id=terminal_id,
                    client_id=client_id,
                    started_at=now,
                    last_heartbeat_at=last_heartbeat_at,
                )
                for terminal_id, client_id, last_heartbeat_at in batch
            ]
        )
        result.new_episodes += len(episodes)
        queued += alert_emails_queue(episodes=episodes, kind=AlertEmail.Kind.DISCONNECTED, now=now)
        # A short batch was the last one (rows a lock wait dropped go to the next sweep).
        batch = list(stale[:FLIP_BATCH]) if len(batch) == FLIP_BATCH else []
    alert_emails_enqueue(queued)
    result.queued += len(queued)
    result.email_ids += queued


def _redispatch(*, now: datetime, limit: int) -> list[tuple[int, int]]:
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
            status=AlertEmail.Status.PENDING, next_attempt_at=now + alert_lease()
        )
    return due
