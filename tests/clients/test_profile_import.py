"""The clients' format carries the profile: culture, location, address, point, companies and
services; exported and imported again, nothing changes; bad cells fail their row only."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clients.models import Client, Company, Location, Service
from clients.resources import CLIENT_FORMAT
from importexport import services
from importexport.models import ImportFailure
from notifications.models import Job
from notifications.services import job_file_path
from tests.factories import ClientFactory, _cnpj
from tests.importexport.conftest import write_xlsx

HEADERS = [column.header for column in CLIENT_FORMAT.columns]


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.JOB_FILES_DIR = tmp_path / "jobs"


def _row(n: int, **cells) -> list:
    row = {"CNPJ": _cnpj(n), "Razão social": f"Empresa {n} Ltda", **cells}
    return [row.get(header, "") for header in HEADERS]


def _import(org, user, path) -> Job:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    job = services.import_schedule(
        organization=org, user=user, entity="clients", upload=upload, language="pt-br"
    )
    return services.import_run(job_id=job.id, organization_id=org.id)


@pytest.fixture
def lists(org_a):
    return (
        Location.objects.create(organization=org_a, name="Matriz"),
        Company.objects.create(organization=org_a, name="B2 Mídia Ltda"),
        Service.objects.create(organization=org_a, name="Monitoramento"),
    )


def test_the_format_and_its_information_sheet_have_the_profile_columns():
    for header in ("Cultura", "Localização", "CEP", "UF", "Latitude", "Empresas", "Serviços"):
        assert header in HEADERS


def test_it_imports_the_profile(org_a, bob, lists, tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        HEADERS,
        [
            _row(
                1,
                Cultura="es",
                Localização="Matriz",
                CEP="01310100",
                UF="sp",
                Cidade="São Paulo",
                Latitude="-23.561414",
                Longitude=-46.655881,
                Empresas="B2 Mídia Ltda",
                Serviços="Monitoramento",
            )
        ],
    )
    job = _import(org_a, bob, path)
    assert job.counts["created"] == 1, job.counts
    client = Client.objects.get()
    assert (client.culture, client.location, client.postal_code, client.state) == (
        "es",
        lists[0],
        "01310-100",
        "SP",
    )
    assert client.latitude == Decimal("-23.561414")
    assert list(client.companies.all()) == [lists[1]] and list(client.services.all()) == [lists[2]]


def test_export_then_import_changes_nothing(org_a, bob, lists, tmp_path):
    client = ClientFactory(
        organization=org_a,
        culture="en",
        location=lists[0],
        postal_code="01310-100",
        state="SP",
        latitude=Decimal("-23.5"),
        longitude=Decimal("-46.6"),
    )
    client.companies.add(lists[1])
    client.services.add(lists[2])
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        data = archive.read(archive.namelist()[0])
    rows = list(load_workbook(io.BytesIO(data))["Dados"].iter_rows(values_only=True))
    exported = dict(zip(rows[0], rows[1], strict=False))
    assert exported["Localização"] == "Matriz" and exported["Empresas"] == "B2 Mídia Ltda"
    assert exported["Latitude"] == "-23.500000" and exported["Cultura"] == "en"
    path = tmp_path / "again.xlsx"
    path.write_bytes(data)
    again = _import(org_a, bob, path)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1, "failed": 0}


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"CEP": "123"}, "CEP"),
        ({"UF": "XX"}, "UF"),
        ({"Latitude": "95", "Longitude": "0"}, "Latitude"),
        ({"Latitude": "10"}, "Longitude"),
        ({"Localização": "Filial de outra organização"}, "Localização"),
        ({"Empresas": "Empresa da B"}, "Empresas"),
        ({"Cultura": "fr"}, "Cultura"),
    ],
)
def test_a_bad_cell_fails_its_row_with_a_reason(org_a, org_b, bob, lists, tmp_path, cells, reason):
    Location.objects.create(organization=org_b, name="Filial de outra organização")
    Company.objects.create(organization=org_b, name="Empresa da B")
    path = write_xlsx(tmp_path / "in.xlsx", HEADERS, [_row(1, **cells), _row(2)])
    job = _import(org_a, bob, path)
    assert job.counts["failed"] == 1 and job.counts["created"] == 1
    failure = ImportFailure.objects.get()
    assert reason in str(failure.reason)
    assert list(Client.objects.values_list("cnpj", flat=True)) == [_cnpj(2)]


def _admin_dataset(org, **cells):
    import tablib

    from importexport.admin_resources import ORGANIZATION_HEADER

    row = dict.fromkeys(HEADERS, "")
    row.update({"CNPJ": _cnpj(5), "Razão social": "Pelo admin", "Status": "active", **cells})
    row[ORGANIZATION_HEADER] = org.slug
    dataset = tablib.Dataset(headers=list(row))
    dataset.append(list(row.values()))
    return dataset


def test_the_admin_import_applies_the_same_rules(org_a, org_b, lists):
    from clients.resources import ClientResource

    Location.objects.create(organization=org_b, name="Deles")
    refused = ClientResource().import_data(_admin_dataset(org_a, CEP="12"), dry_run=False)
    assert refused.has_validation_errors() and not Client.objects.exists()
    foreign = ClientResource().import_data(
        _admin_dataset(org_a, Localização="Deles"), dry_run=False
    )
    assert (foreign.has_errors() or foreign.has_validation_errors()) and not Client.objects.exists()
    done = ClientResource().import_data(
        _admin_dataset(org_a, Localização="Matriz", UF="rj", Latitude="-22.9", Longitude="-43.2"),
        dry_run=False,
    )
    assert not done.has_errors() and not done.has_validation_errors()
    client = Client.objects.get()
    assert (client.location, client.state, client.latitude) == (lists[0], "RJ", Decimal("-22.9"))


@pytest.mark.slow
def test_the_profile_lands_on_its_rows_across_chunks(org_a, bob, lists, tmp_path):
    from importexport.importer import CHUNK_ROWS

    profile = {"Cultura": "es", "Localização": "Matriz", "UF": "rj", "Empresas": "B2 Mídia Ltda"}
    rows = [_row(n) for n in range(1, CHUNK_ROWS + 3)]
    for n in (0, CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 1):
        rows[n] = _row(n + 1, **profile, Serviços="Monitoramento")
    rows[CHUNK_ROWS + 1] = _row(CHUNK_ROWS + 2, **{**profile, "UF": "XX"})
    job = _import(org_a, bob, write_xlsx(tmp_path / "in.xlsx", HEADERS, rows))

    assert job.counts == {"created": CHUNK_ROWS + 1, "updated": 0, "unchanged": 0, "failed": 1}
    assert job.chunks_done == 2
    profiled = Client.objects.for_org(org_a).filter(culture="es", state="RJ", location=lists[0])
    expected = {_cnpj(n + 1) for n in (0, CHUNK_ROWS - 1, CHUNK_ROWS)}
    assert {client.cnpj for client in profiled} == expected
    assert set(lists[1].clients.values_list("cnpj", flat=True)) == expected
    assert set(lists[2].clients.values_list("cnpj", flat=True)) == expected
    assert ImportFailure.objects.get(job=job).row_number == CHUNK_ROWS + 3
