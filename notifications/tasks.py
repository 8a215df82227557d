from __future__ import annotations

from celery import shared_task

from notifications.services import job_purge_expired


@shared_task(acks_late=True)
def purge_expired_files() -> int:
    return job_purge_expired()
