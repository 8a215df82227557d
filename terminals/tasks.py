from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tenancy.models import Organization
from terminals.figures import availability_warm, fleet_history_warm
from terminals.models import Terminal
from terminals.outbox import alert_emails_deliver
from terminals.sweep import alert_sweep

# A database that went away (a restart, a failover) is waited out: never a reason to give up.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@shared_task(acks_late=True, ignore_result=True)
def sweep_terminals() -> dict:
    # No retry: beat runs the sweep again within a minute, from the rows as they are then.
    result = alert_sweep()
    return {"new_episodes": result.new_episodes, "queued": result.queued}


@shared_task(acks_late=True, ignore_result=True)
def warm_fleet_charts() -> dict:
    """Counts the dashboard's fleet chart buckets and fleet availability hours that became
    final since the last run, for every organization with terminals, so that no operator
    waits for them."""
    # No retry: beat runs it again within minutes, and a page counts what is missing meanwhile.
    now = timezone.now()
    organizations = Organization.objects.filter(
        Exists(Terminal.objects.filter(organization=OuterRef("pk")))
    ).order_by("id")
    buckets = hours = 0
    for organization in organizations:
        buckets += fleet_history_warm(organization=organization, now=now)
        hours += availability_warm(organization=organization, now=now)
    return {"buckets": buckets, "hours": hours}


# max_retries=None: the outbox row counts the attempts and turns failed after the last one.
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_alert_emails(self, alert_email_ids: list[int], organization_id: int) -> None:
    try:
        result = alert_emails_deliver(organization_id=organization_id, ids=alert_email_ids)
    except DATABASE_UNAVAILABLE as exc:
        # Rows still pending are claimed by the retry; rows this run had claimed wait out
        # their lease and the sweep hands them out again.
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from exc
    if result.retry_ids:
        raise self.retry(
            args=(result.retry_ids, organization_id),
            countdown=result.retry_in.total_seconds(),
        )
