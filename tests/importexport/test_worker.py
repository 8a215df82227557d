"""The jobs end to end through a real Celery worker (prefork pool, Redis broker)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clients.models import Client
from importexport import services
from notifications.models import Job
from notifications.services import job_file_path
from tests.factories import (
    ClientFactory,
    ClientGroupFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    _cnpj,
)
from tests.importexport.conftest import CLIENT_HEADERS, wait_for_job, write_xlsx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator():
    organization = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(organization=organization, user=user)
    return organization, user


def test_it_exports_with_data_in_a_worker(celery_worker, operator):
    organization, user = operator
    group = ClientGroupFactory(organization=organization, name="Shoppings")
    for n in range(30):
        ClientFactory(organization=organization, cnpj=_cnpj(n)).groups.add(group)
    job = services.export_schedule(
        organization=organization, user=user, entity="clients", variant="data", language="en"
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.rows_done == 30
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        (name,) = archive.namelist()
        workbook = load_workbook(io.BytesIO(archive.read(name)))
    rows = list(workbook["Dados"].iter_rows(values_only=True))
    assert len(rows) == 31 and rows[1][-1] == "Shoppings"
    # The "Informações" sheet speaks the language the user had when exporting.
    assert list(workbook["Informações"].iter_rows(values_only=True))[3][0] == "Column"


def test_it_imports_in_a_worker_and_reports_the_failed_rows(celery_worker, operator, tmp_path):
    organization, user = operator
    rows = [[_cnpj(n), f"Empresa {n}", "", "", "", "", "", "", ""] for n in range(10)]
    rows.append(["00.000.000/0000-01", "Ruim", "", "", "", "", "", "", ""])
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, rows)
    job = services.import_schedule(
        organization=organization,
        user=user,
        entity="clients",
        upload=SimpleUploadedFile("in.xlsx", path.read_bytes()),
        language="es",
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.counts == {"created": 10, "updated": 0, "unchanged": 0, "failed": 1}
    assert Client.objects.for_org(organization).count() == 10
    failed = load_workbook(job_file_path(job.result_path))["Dados"]
    assert "no es un CNPJ válido" in failed["J2"].value
