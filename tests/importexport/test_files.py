"""Job files go through the "jobs" storage: with a storage that has no local paths (what a
bucket is to the code), an upload stored by the web process is imported by the job, and the
export and failed-rows files are stored there too."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.models import Client
from importexport import services
from notifications.services import job_files
from tests.importexport.conftest import CLIENT_HEADERS, write_xlsx
from tests.importexport.test_services import _row


@pytest.fixture
def remote_jobs(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "jobs": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    storages._storages.pop("jobs", None)
    yield job_files()
    storages._storages.pop("jobs", None)


def test_an_upload_is_imported_from_a_storage_without_local_paths(
    org_a, bob, tmp_path, remote_jobs
):
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, [_row(1), _row(2, CNPJ="bad")])
    job = services.import_schedule(
        organization=org_a,
        user=bob,
        entity="clients",
        upload=SimpleUploadedFile("in.xlsx", path.read_bytes()),
        language="pt-br",
    )
    assert remote_jobs.exists(job.input_path)
    job = services.import_run(job_id=job.id, organization_id=org_a.id)
    assert job.counts["created"] == 1 and job.counts["failed"] == 1
    assert Client.objects.filter(organization=org_a).count() == 1
    with remote_jobs.open(job.result_path) as failures:
        assert failures.read(2) == b"PK"


def test_an_export_is_stored_in_the_jobs_storage(org_a, bob, remote_jobs, monkeypatch):
    from importexport import tasks
    from tests.factories import ClientFactory

    monkeypatch.setattr(tasks.export_run_task, "delay", lambda *args: None)
    ClientFactory(organization=org_a)
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    with remote_jobs.open(job.result_path) as stored:
        assert zipfile.ZipFile(BytesIO(stored.read())).namelist()


def test_a_stored_export_is_downloaded_and_purged_through_the_storage(
    org_a, bob, bob_client, remote_jobs, monkeypatch
):
    from importexport import tasks
    from notifications.models import Job
    from notifications.services import job_purge_expired
    from tests.factories import ClientFactory

    monkeypatch.setattr(tasks.export_run_task, "delay", lambda *args: None)
    ClientFactory(organization=org_a)
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    response = bob_client.get(f"/notificacoes/{job.code}/baixar/")
    assert response.status_code == 200
    assert zipfile.ZipFile(BytesIO(b"".join(response.streaming_content))).namelist()
    Job.objects.filter(pk=job.pk).update(expires_at=job.created_at)
    assert job_purge_expired() == 1
    assert not remote_jobs.exists(job.result_path)
