"""Fixtures for the import/export tests: real .xlsx files and, where a test needs one, a real
Celery worker consuming this test run's Redis database against the test database."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from openpyxl import Workbook

from clients.resources import CLIENT_FORMAT
from config.celery import app as celery_app
from notifications.models import Job
from tests.processes import Worker

CLIENT_HEADERS = [column.header for column in CLIENT_FORMAT.columns]


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    return settings.JOB_FILES_DIR


def write_xlsx(path: Path, headers: list, rows: list[list], *, title: str = "Dados") -> Path:
    """An .xlsx as a spreadsheet program would save it (openpyxl, shared strings, formulas)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def wait_for(predicate, *, timeout: float = 60.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    raise AssertionError("timed out waiting")


def wait_for_job(job: Job, *, timeout: float = 90.0) -> Job:
    def finished():
        job.refresh_from_db()
        return job.status != Job.Status.PENDING

    wait_for(finished, timeout=timeout)
    return job


@pytest.fixture
def celery_worker(transactional_db, job_files, tmp_path):
    """A worker on this run's Redis database, reading and writing the test database."""
    database = urlsplit(os.environ["DATABASE_URL"])
    test_url = urlunsplit(database._replace(path=f"/{connection.settings_dict['NAME']}"))
    env = {**os.environ, "DATABASE_URL": test_url, "JOB_FILES_DIR": str(job_files)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    celery_app.control.purge()
    with Worker(env, tmp_path / "worker.log") as worker:
        yield worker
