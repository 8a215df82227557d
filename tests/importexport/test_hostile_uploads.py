"""Hostile .xlsx uploads, built here as an attacker would: each is refused as a whole with a
message naming what is wrong, by the upload screen (nothing stored) and by the job (which
checks the file again before reading it, whatever the screen let through)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bench.hostile_uploads import _template, _with_sheet
from clients.models import Client
from config.celery import app
from importexport import importer, services
from importexport.files import job_file_save
from importexport.xlsx import FileError, inspect_upload
from notifications.models import Job
from notifications.services import job_create, job_file_new
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.importexport.conftest import wait_for_job

HOSTILE = {
    "far_cell": (b'<row r="1000"><c r="XFD1000"><v>1</v></c></row>', "XFD1000"),
    "farthest_cell": (b'<row r="1000000"><c r="XFD1000000"><v>1</v></c></row>', "XFD1000000"),
    "single_quoted_rows": (
        b"<row r='1000005'><c r='A1000005' t='inlineStr'><is><t>Late</t></is></c></row>",
        "1,000,000",
    ),
    "row_without_number_beyond_the_limit": (
        b"<row r='1000001'/><row><c t='inlineStr'><is><t>Late</t></is></c></row>",
        "1,000,000",
    ),
    "declared_dimension": (b"", "XFD50000"),
}


def _hostile(tmp_path, name: str) -> tuple:
    sheet, named = HOSTILE[name]
    data = _with_sheet(_template(), sheet)
    if name == "declared_dimension":
        data = _patched(data, b"<sheetData>", b'<dimension ref="A1:XFD50000"/><sheetData>')
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(data)
    return path, named


def _patched(data: bytes, old: bytes, new: bytes) -> bytes:
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as patched:
        for info in original.infolist():
            content = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(old, new, 1)
            patched.writestr(info, content, zipfile.ZIP_DEFLATED)
    return target.getvalue()


def _empty_shared_strings(tmp_path):
    path = tmp_path / "empty_elements.xlsx"
    path.write_bytes(_with_sheet(_template(), b"", shared_strings=b"<si/>" * 4_000_000))
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_it_refuses_a_hostile_sheet_naming_what_is_wrong(name, tmp_path):
    path, named = _hostile(tmp_path, name)
    with translation.override("en"):
        with pytest.raises(FileError) as refused:
            inspect_upload(path)
        assert named in str(refused.value)


def test_it_refuses_a_highly_compressed_part(tmp_path):
    path = _empty_shared_strings(tmp_path)
    assert path.stat().st_size < 100_000
    with translation.override("en"), pytest.raises(FileError, match="sharedStrings.xml"):
        inspect_upload(path)


def test_it_refuses_a_long_shared_string_named_by_many_cells(tmp_path, settings):
    settings.IMPORT_MAX_TEXT_BYTES = 10 * 1024 * 1024
    named = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(2, 1002)
    )
    path = tmp_path / "copies.xlsx"
    path.write_bytes(
        _with_sheet(_template(), named, shared_strings=b"<si><t>" + b"y" * 30_000 + b"</t></si>")
    )
    assert path.stat().st_size < 50_000
    with translation.override("en"), pytest.raises(FileError, match="more than 10 MB of text"):
        inspect_upload(path)


def test_it_reads_a_formula_cell_without_a_reference_as_a_formula(tmp_path):
    path = tmp_path / "formula.xlsx"
    path.write_bytes(
        _with_sheet(
            _template(),
            b'<row r="2"><c t="str"><f>HYPERLINK("http://x.example","x")</f><v>x</v></c>'
            b'<c t="inlineStr"><is><t>12345678000199</t></is></c></row>',
        )
    )
    assert inspect_upload(path).formula_rows == {2: "A"}


def test_it_still_reads_a_normal_file_whatever_its_spelling(tmp_path):
    # Cells without references, single quotes, prefixed markup: positions as the readers see.
    sheet = (
        b"<x:row xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
        b"<x:c t='inlineStr'><x:is><x:t>Empresa</x:t></x:is></x:c>"
        b"<x:c t='inlineStr'><x:is><x:t>12345678000199</x:t></x:is></x:c></x:row>"
    )
    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(_with_sheet(_template(), sheet))
    inspection = inspect_upload(path)
    assert inspection.rows == 1 and inspection.formula_rows == {}


@pytest.mark.parametrize("name", ["far_cell", "farthest_cell", "single_quoted_rows"])
def test_the_upload_screen_refuses_it_and_stores_nothing(name, bob_client, tmp_path, job_files):
    path, named = _hostile(tmp_path, name)
    response = bob_client.post(
        reverse("importexport:import"),
        {"entity": "clients", "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 422
    # The page is in Portuguese: 1.000.000.
    assert named.replace(",", ".") in response.text
    assert not Job.objects.exists()
    assert not [p for p in job_files.rglob("*") if p.is_file()]


def test_the_upload_screen_refuses_a_zip_bomb_of_empty_elements(bob_client, tmp_path):
    path = _empty_shared_strings(tmp_path)
    response = bob_client.post(
        reverse("importexport:import"),
        {"entity": "clients", "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 422
    assert "sharedStrings.xml" in response.text
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", ["far_cell", "single_quoted_rows"])
def test_the_job_refuses_a_file_the_screen_did_not_check(name, org_a, bob, tmp_path):
    # A file stored by an older version, or by another machine: the worker checks again.
    path, _named = _hostile(tmp_path, name)
    job = job_create(organization=org_a, user=bob, kind=Job.Kind.IMPORT, entity="clients")
    relative, stored = job_file_new(job=job, name="upload.xlsx")
    stored.write_bytes(path.read_bytes())
    job.input_path = relative
    job.save(update_fields=["input_path"])
    with pytest.raises(FileError):
        services.import_run(job_id=job.id, organization_id=org_a.id)
    assert not Client.objects.filter(organization=org_a).exists()


def test_the_job_refuses_the_row_of_a_formula_without_a_reference(org_a, bob, tmp_path):
    path = tmp_path / "formula.xlsx"
    path.write_bytes(
        _with_sheet(
            _template(),
            b'<row r="2"><c t="str"><f>HYPERLINK("http://x.example","x")</f><v>Empresa</v></c>'
            b'<c t="inlineStr"><is><t>11222333000181</t></is></c></row>',
        )
    )
    job = services.import_schedule(
        organization=org_a,
        user=bob,
        entity="clients",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        language="en",
    )
    job = services.import_run(job_id=job.id, organization_id=org_a.id)
    assert job.counts.get("created", 0) == 0 and job.counts["failed"] == 1
    assert not Client.objects.filter(organization=org_a).exists()


def test_the_workers_reading_is_bounded_by_the_same_checks(tmp_path):
    path, _named = _hostile(tmp_path, "far_cell")
    with pytest.raises(FileError):
        importer.open_upload(path)


@pytest.mark.slow
def test_a_prefork_worker_refuses_a_stored_hostile_file(celery_worker, tmp_path):
    organization, user = OrganizationFactory(), UserFactory()
    MembershipFactory(organization=organization, user=user)
    path, _named = _hostile(tmp_path, "far_cell")
    job = job_create(organization=organization, user=user, kind=Job.Kind.IMPORT, entity="clients")
    job.input_path = job_file_save(job=job, name="upload.xlsx", source=path)
    job.save(update_fields=["input_path"])
    app.send_task("importexport.tasks.import_run_task", args=[job.id, organization.id])
    job = wait_for_job(job)
    assert job.status == Job.Status.FAILED
    with translation.override("en"):
        assert "XFD1000" in job.failure_text
    assert not Client.objects.filter(organization=organization).exists()
