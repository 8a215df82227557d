"""Import and export jobs: scheduling them, running them, and their files."""

from __future__ import annotations

import io
import logging
import tempfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as BrokerUnavailable

from importexport import exporter, importer
from importexport.files import job_file_local, job_file_save, job_file_written
from importexport.models import ImportFailure
from importexport.registry import format_get, format_reads_csv
from importexport.xlsx import REASON_HEADER, FileError, build_template
from notifications.models import Job
from notifications.services import job_create, job_finish
from tenancy import audit
from tenancy.models import Organization, Project

logger = logging.getLogger(__name__)

EXPORT_VARIANTS = ("empty", "data", "data_plain")


def _filename(entity: str, suffix: str) -> str:
    return f"{entity}-{timezone.localtime():%Y%m%d-%H%M%S}{suffix}"


def export_empty_format(
    *, entity: str, language: str, organization_id: int | None = None
) -> tuple[str, bytes]:
    """The creation template of `entity` as an .xlsx: (file name, content), with the
    columns of the organization's additional fields when one is given."""
    fmt = format_get(entity, organization_id=organization_id)
    buffer = io.BytesIO()
    exporter.empty_format(fmt, buffer, language)
    return _filename(f"{entity}-formato", ".xlsx"), buffer.getvalue()


def export_schedule(
    *,
    organization: Organization,
    user,
    entity: str,
    variant: str,
    language: str,
    project: Project | None = None,
) -> Job:
    from importexport.tasks import export_run_task

    format_get(entity)
    if variant not in ("data", "data_plain"):
        raise ValueError(variant)
    job = job_create(
        organization=organization,
        user=user,
        kind=Job.Kind.EXPORT,
        entity=entity,
        variant=variant,
        language=language,
        project=project,
    )
    _enqueue_on_commit(export_run_task, job)
    return job


def _job_to_run(*, job_id: int, organization_id: int, kind: str) -> Job | None:
    # A task names its organization too: a job id alone never reaches another tenant's job.
    return Job.objects.filter(pk=job_id, organization_id=organization_id, kind=kind).first()


def export_run(*, job_id: int, organization_id: int) -> Job | None:
    """Writes the job's zip; running it again after it finished changes nothing."""
    job = _job_to_run(job_id=job_id, organization_id=organization_id, kind=Job.Kind.EXPORT)
    if job is None or job.status != Job.Status.PENDING:
        return job
    fmt = format_get(job.entity, organization_id=organization_id)
    total = fmt.model.objects.filter(organization_id=organization_id).count()
    Job.objects.filter(pk=job.pk).update(rows_total=total)
    name = _filename(job.entity, "")

    def progress(rows: int) -> None:
        Job.objects.filter(pk=job.pk).update(rows_done=min(rows, total))

    with job_file_written(job=job, name=f"{name}.zip") as written:
        exporter.export_zip(
            fmt=fmt,
            variant=job.variant,
            organization_id=organization_id,
            language=job.language,
            target=written.path,
            name=name,
            on_progress=progress,
        )
    job.refresh_from_db()
    return job_finish(job=job, result_path=written.name)


def _upload_suffix(entity: str, upload: UploadedFile) -> str:
    """.xlsx, or .csv for a format registered as reading it (importexport.csvfile); the
    stored copy keeps the type."""
    name = (upload.name or "").lower()
    if name.endswith(".csv") and format_reads_csv(entity):
        return ".csv"
    if not name.endswith(".xlsx"):
        raise FileError(gettext_noop("Choose an .xlsx file (Excel workbook)."))
    return ".xlsx"


def _check_upload(upload: UploadedFile) -> None:
    if upload.size > settings.IMPORT_MAX_FILE_BYTES:
        raise FileError(
            gettext_noop("The file is larger than %(size)d MB."),
            size=settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024),
        )


def import_schedule(
    *,
    organization: Organization,
    user,
    entity: str,
    upload: UploadedFile,
    language: str,
    project: Project | None = None,
) -> Job:
    """Checks the file as a whole (type, size, zip bomb, row count, columns) and schedules
    the job; raises FileError, with nothing saved, when the file cannot be imported."""
    from importexport.tasks import import_run_task

    fmt = format_get(entity, organization_id=organization.id)
    suffix = _upload_suffix(entity, upload)
    _check_upload(upload)
    with tempfile.NamedTemporaryFile(suffix=suffix) as staged:
        for piece in upload.chunks():
            staged.write(piece)
        staged.flush()
        importer.check_header(fmt, staged.name)
        job = job_create(
            organization=organization,
            user=user,
            kind=Job.Kind.IMPORT,
            entity=entity,
            language=language,
            project=project,
            source_name=upload.name,
        )
        relative = job_file_save(job=job, name=f"upload{suffix}", source=staged.name)
    job.input_path = relative
    job.save(update_fields=["input_path"])
    _enqueue_on_commit(import_run_task, job)
    return job


def import_run(*, job_id: int, organization_id: int) -> Job | None:
    """Applies the job's file chunk by chunk, resuming where a previous run stopped."""
    job = _job_to_run(job_id=job_id, organization_id=organization_id, kind=Job.Kind.IMPORT)
    if job is None or job.status != Job.Status.PENDING:
        return job
    fmt = format_get(job.entity, organization_id=organization_id)
    with translation.override(job.language):
        with job_file_local(job.input_path) as path:
            counts, columns = importer.import_run(job=job, fmt=fmt, path=path)
        result = _write_failures(job, fmt, columns) if counts.get("failed") else ""
    job.refresh_from_db()
    job = job_finish(job=job, result_path=result, counts=counts)
    # One history entry for the whole file: the bulk writes record none per row.
    audit.record_import_job(job=job, format_label=str(fmt.label))
    return job


def _write_failures(job: Job, fmt, columns) -> str:
    """The failed rows as an .xlsx: their original cells, in the file's column order, and a
    last column with the reason (which an import of the corrected file ignores)."""
    template = build_template(columns, title=str(fmt.label), extra_headers=(REASON_HEADER,))
    failures = ImportFailure.objects.filter(job=job).order_by("row_number")
    rows = (
        [*cells, *[""] * (len(columns) - len(cells)), reason]
        for cells, reason in failures.values_list("cells", "reason").iterator(chunk_size=2000)
    )
    with job_file_written(job=job, name="linhas-com-erro.xlsx") as written:
        template.write(written.path, rows)
    return written.name


def _enqueue_on_commit(task, job: Job) -> None:
    """Hands the committed job to a worker. With the broker down the job is saved all the
    same, and the page must not fail: the periodic resume task (importexport.runs) enqueues
    it once the broker is back."""

    def enqueue() -> None:
        try:
            task.delay(job.id, job.organization_id)
        except BrokerUnavailable:
            logger.exception("the broker is unreachable; job %s waits for the resume task", job.id)

    transaction.on_commit(enqueue)
