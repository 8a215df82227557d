"""The jobs end to end through a real Celery worker (prefork pool, Redis broker)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from clients.models import Client
from clients.resources import CLIENT_FORMAT
from clients.selectors import client_search
from clients.services import client_prepare
from importexport import services
from importexport.exporter import FILE_ROWS
from importexport.xlsx import build_template
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
    assert len(rows) == 31 and rows[1][rows[0].index("Grupos")] == "Shoppings"
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
    assert "no es un CNPJ válido" in failed.cell(row=2, column=failed.max_column).value


# Three files and three chunks: 7,000 + 7,000 + 1,000.
BIG = 2 * FILE_ROWS + 1000


@pytest.mark.slow
def test_it_exports_three_files_with_data_in_a_prefork_worker(celery_worker, operator):
    organization, user = operator
    Client.objects.bulk_create(
        Client(
            organization=organization,
            **client_prepare({"cnpj": _cnpj(n), "razao_social": f"Empresa {n}"}),
        )
        for n in range(BIG)
    )
    job = services.export_schedule(
        organization=organization, user=user, entity="clients", variant="data", language="en"
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.rows_done == BIG
    counts, cnpjs = [], set()
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        for name in sorted(archive.namelist()):
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(archive.read(name)))
            rows = workbook.get_sheet_by_name("Dados").to_python()[1:]
            counts.append(len(rows))
            cnpjs |= {row[0] for row in rows}
    assert counts == [FILE_ROWS, FILE_ROWS, 1000]
    assert len(cnpjs) == BIG


@pytest.mark.slow
def test_it_imports_three_chunks_in_a_prefork_worker(celery_worker, operator, tmp_path):
    organization, user = operator
    rows = [
        [_cnpj(n), f"Empresa {n}", "", "", f"Loja{n}@X.com", "", "", "", ""] for n in range(BIG)
    ]
    path = tmp_path / "in.xlsx"
    build_template(CLIENT_FORMAT.columns, title="Clientes").write(path, rows)
    job = services.import_schedule(
        organization=organization,
        user=user,
        entity="clients",
        upload=SimpleUploadedFile("in.xlsx", path.read_bytes()),
        language="en",
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.chunks_done == 3
    assert job.counts == {"created": BIG, "updated": 0, "unchanged": 0, "failed": 0}
    client = Client.objects.for_org(organization).get(cnpj=_cnpj(BIG - 1))
    assert client.email_wvds == f"loja{BIG - 1}@x.com"
    assert list(client_search(organization=organization, query=f"empresa {BIG - 1}")) == [client]
