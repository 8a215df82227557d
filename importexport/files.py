"""Job files (uploads, export zips, failed-rows files) in the "jobs" storage: the folder
JOB_FILES_DIR on the embedded default, the bucket when one is configured (config.settings),
so that a worker on another machine reads the upload a web process stored. The readers and
writers need a local file (calamine and zipfile seek): on a remote storage the file is
copied to a temporary one first, or written to one and stored after."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from notifications.models import Job
from notifications.services import job_files


class JobFileStorage(FileSystemStorage):
    """JOB_FILES_DIR, read at each use (a test or a bench points it elsewhere); never under
    MEDIA_ROOT, so only the ownership-checking download view hands the files out."""

    @property
    def base_location(self) -> str:
        return str(settings.JOB_FILES_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def job_file_save(*, job: Job, name: str, source: str | Path) -> str:
    """Stores the local file `source` as the job's file `name`; returns its stored name."""
    with open(source, "rb") as data:
        return job_files().save(f"{job.organization_id}/{job.code}/{name}", File(data, name))


@dataclass
class Written:
    path: Path  # where to write
    name: str = ""  # the stored name, once the block has ended


@contextmanager
def job_file_written(*, job: Job, name: str) -> Iterator[Written]:
    """A local file to write the job's file `name` into; stored when the block ends."""
    with tempfile.TemporaryDirectory() as folder:
        written = Written(path=Path(folder) / name)
        yield written
        written.name = job_file_save(job=job, name=name, source=written.path)


@contextmanager
def job_file_local(name: str) -> Iterator[Path]:
    """The stored job file `name` as a local file, for as long as the block runs."""
    storage = job_files()
    if isinstance(storage, FileSystemStorage):
        yield Path(storage.path(name))
        return
    with (
        storage.open(name, "rb") as source,
        tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy,
    ):
        shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)
