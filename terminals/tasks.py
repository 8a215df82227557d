from __future__ import annotations

from celery import shared_task

from terminals.outbox import alert_emails_deliver
from terminals.sweep import alert_sweep


@shared_task(acks_late=True, ignore_result=True)
def sweep_terminals() -> dict:
    result = alert_sweep()
    return {"new_episodes": result.new_episodes, "queued": result.queued}


# max_retries=None: the outbox row counts the attempts and turns failed after the last one.
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver_alert_emails(self, alert_email_ids: list[int], organization_id: int) -> None:
    result = alert_emails_deliver(organization_id=organization_id, ids=alert_email_ids)
    if result.retry_ids:
        raise self.retry(
            args=(result.retry_ids, organization_id),
            countdown=result.retry_in.total_seconds(),
        )
