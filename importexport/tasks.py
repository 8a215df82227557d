from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_noop

from importexport import services
from importexport.xlsx import FileError
from notifications.services import job_fail

MAX_RETRIES = 5


def _run(task, service, job_id: int, organization_id: int) -> None:
    try:
        service(job_id=job_id, organization_id=organization_id)
    except FileError as exc:
        # The file itself is unusable: retrying cannot help.
        job_fail(job_id=job_id, reason=exc.reason)
    except Exception as exc:
        if task.request.retries >= MAX_RETRIES:
            job_fail(
                job_id=job_id,
                reason=[(gettext_noop("The job failed unexpectedly; try again."), {})],
            )
            raise
        # Applied chunks are recorded with the job, so the retry resumes after them.
        raise task.retry(exc=exc, countdown=2**task.request.retries) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def export_run_task(self, job_id: int, organization_id: int) -> None:
    _run(self, services.export_run, job_id, organization_id)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def import_run_task(self, job_id: int, organization_id: int) -> None:
    _run(self, services.import_run, job_id, organization_id)
