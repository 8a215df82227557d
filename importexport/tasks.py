from __future__ import annotations

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from importexport import services
from importexport.xlsx import FileError
from notifications.models import Job
from notifications.services import job_fail

MAX_RETRIES = 5


def _run(task, service, job_id: int, organization_id: int) -> None:
    try:
        service(job_id=job_id, organization_id=organization_id)
    except FileError as exc:
        # The file itself is unusable: retrying cannot help.
        job_fail(job_id=job_id, reason=str(exc))
    except Exception as exc:
        if task.request.retries >= MAX_RETRIES:
            language = Job.objects.filter(pk=job_id).values_list("language", flat=True).first()
            with translation.override(language or "pt-br"):
                job_fail(job_id=job_id, reason=_("The job failed unexpectedly; try again."))
            raise
        # Applied chunks are recorded with the job, so the retry resumes after them.
        raise task.retry(exc=exc, countdown=2**task.request.retries) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def run_export(self, job_id: int, organization_id: int) -> None:
    _run(self, services.export_run, job_id, organization_id)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def run_import(self, job_id: int, organization_id: int) -> None:
    _run(self, services.import_run, job_id, organization_id)
