from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from importexport import services
from importexport.runs import (
    FAILED_UNEXPECTEDLY,
    job_give_up,
    job_hold_for_retry,
    job_run,
    jobs_resume_stalled,
)
from importexport.xlsx import FileError
from notifications.services import job_fail

MAX_RETRIES = 5


def _run(task, service, job_id: int, organization_id: int) -> None:
    with job_run(job_id) as run:
        if run is None:
            # Another run holds the job (this is a second delivery of its message); should
            # that run die, the job is resumed once its lease runs out.
            return
        if run.died_before > settings.JOB_MAX_RESUMES:
            job_give_up(job_id)
            return
        try:
            service(job_id=job_id, organization_id=organization_id)
        except FileError as exc:
            # The file itself is unusable: retrying cannot help.
            job_fail(job_id=job_id, reason=exc.reason)
        except Exception as exc:
            if task.request.retries < MAX_RETRIES:
                # Applied chunks are recorded with the job, so the retry resumes after them.
                countdown = 2**task.request.retries
                job_hold_for_retry(run, countdown)
                raise task.retry(exc=exc, countdown=countdown) from exc
            if not isinstance(exc, OperationalError | InterfaceError):
                job_fail(job_id=job_id, reason=FAILED_UNEXPECTEDLY)
            # A database still away after the retries is no fault of the job: it stays
            # pending, and is resumed once the database is back.
            raise


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def export_run_task(self, job_id: int, organization_id: int) -> None:
    _run(self, services.export_run, job_id, organization_id)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def import_run_task(self, job_id: int, organization_id: int) -> None:
    _run(self, services.import_run, job_id, organization_id)


@shared_task(acks_late=True, ignore_result=True)
def resume_stalled_jobs() -> list[int]:
    return jobs_resume_stalled()
