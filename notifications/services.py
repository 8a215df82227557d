from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from notifications.models import Job, Reason
from tenancy.models import Organization, Project


def job_files() -> Storage:
    """The "jobs" storage (config.settings): a folder outside MEDIA_ROOT on the embedded
    default, the bucket in production; only the ownership-checking download view hands its
    files out."""
    return storages["jobs"]


def job_file_path(relative: str) -> Path:
    """Where a job's file lives on a storage with local files (the embedded default)."""
    return Path(job_files().path(relative))


def job_file_new(*, job: Job, name: str) -> tuple[str, Path]:
    relative = f"{job.organization_id}/{job.code}/{name}"
    path = job_file_path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    return relative, path


def job_create(
    *,
    organization: Organization,
    user,
    kind: str,
    entity: str,
    variant: str = "",
    language: str = "pt-br",
    project: Project | None = None,
    source_name: str = "",
) -> Job:
    return Job.objects.create(
        organization=organization,
        user=user,
        kind=kind,
        entity=entity,
        variant=variant,
        language=language,
        project=project,
        source_name=source_name[:255],
    )


def job_finish(*, job: Job, result_path: str = "", counts: dict | None = None) -> Job:
    now = timezone.now()
    job.status = Job.Status.DONE
    job.finished_at = now
    job.result_path = result_path
    job.rows_done = max(job.rows_done, job.rows_total)
    if counts is not None:
        job.counts = counts
    # A finished job is news again, even if the user had seen it pending.
    job.read_at = None
    job.expires_at = now + timedelta(hours=settings.JOB_DOWNLOAD_TTL_HOURS)
    job.save()
    return job


def job_fail(*, job_id: int, reason: Reason) -> None:
    """Marks the job failed; `reason` is stored untranslated (see notifications.models)."""
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.DONE).update(
        status=Job.Status.FAILED, failure=reason, finished_at=timezone.now(), read_at=None
    )


def job_mark_read(*, job: Job) -> None:
    if job.read_at is None:
        Job.objects.filter(pk=job.pk).update(read_at=timezone.now())


def job_mark_all_read(*, organization: Organization, user) -> int:
    return (
        Job.objects.for_org(organization)
        .filter(user=user, read_at__isnull=True)
        .exclude(status=Job.Status.PENDING)
        .update(read_at=timezone.now())
    )


def job_purge_expired() -> int:
    """Deletes the files of expired jobs; the rows stay as history."""
    purged = 0
    expired = Job.objects.filter(expires_at__lte=timezone.now()).exclude(
        result_path="", input_path=""
    )
    for job in expired.iterator():
        for relative in (job.result_path, job.input_path):
            if relative:
                job_files().delete(relative)
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(result_path="", input_path="")
        purged += 1
    return purged
