"""The organization's additional fields as columns of the clients' and specialists' formats:
exported with each record's values, imported back through tenancy.additional_fields' rule."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from clients.models import ClientAdditionalValue
from importexport import services
from importexport.models import ImportFailure
from importexport.xlsx import INFO_SHEET
from notifications.models import Job
from notifications.services import job_file_path
from specialists.models import AdditionalField, AdditionalFieldValue
from tests.factories import AdditionalFieldFactory, ClientFactory, SpecialistFactory
from tests.importexport.conftest import wait_for_job

ENTITIES = {
    # entity → (factory, value model, owner field, entity of the field definitions)
    "clients": (ClientFactory, ClientAdditionalValue, "client", AdditionalField.Entity.CLIENT),
    "specialists": (
        SpecialistFactory,
        AdditionalFieldValue,
        "specialist",
        AdditionalField.Entity.SPECIALIST,
    ),
}


def _fields(org, entity: str) -> dict[str, AdditionalField]:
    kind = ENTITIES[entity][3]
    make = AdditionalFieldFactory
    return {
        "text": make(organization=org, entity=kind, label="Apelido", position=1),
        "number": make(
            organization=org, entity=kind, label="Lojas", field_type="number", position=2
        ),
        "date": make(organization=org, entity=kind, label="Desde", field_type="date", position=3),
        "choice": make(
            organization=org,
            entity=kind,
            label="Porte",
            field_type="choice",
            choices="Pequeno\nGrande",
            position=4,
        ),
    }


def _export(org, user, entity: str) -> tuple[bytes, list[list]]:
    job = services.export_schedule(
        organization=org, user=user, entity=entity, variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org.id)
    assert job.status == Job.Status.DONE
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        data = archive.read(archive.namelist()[0])
    sheet = load_workbook(io.BytesIO(data))["Dados"]
    return data, [list(row) for row in sheet.iter_rows(values_only=True)]


def _import(org, user, entity: str, content: bytes) -> Job:
    job = services.import_schedule(
        organization=org,
        user=user,
        entity=entity,
        upload=SimpleUploadedFile("in.xlsx", content),
        language="pt-br",
    )
    return services.import_run(job_id=job.id, organization_id=org.id)


def _values(entity: str, owner) -> dict[str, str]:
    _factory, model, owner_name, _kind = ENTITIES[entity]
    return dict(model.objects.filter(**{owner_name: owner}).values_list("field__label", "value"))


def _rewrite(data: bytes, changes: dict[str, object]) -> bytes:
    """The exported file with the first record's cells under `changes`' headers replaced."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Dados"]
    headers = [cell.value for cell in sheet[1]]
    for header, value in changes.items():
        sheet.cell(row=2, column=headers.index(header) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("entity", ENTITIES)
def test_additional_fields_go_out_and_back_through_the_jobs(org_a, org_b, bob, entity):
    factory, model, owner_name, kind = ENTITIES[entity]
    fields = _fields(org_a, entity)
    # Another organization's field is no column of this one's files.
    AdditionalFieldFactory(organization=org_b, entity=kind, label="Da B")
    owner = factory(organization=org_a)
    model.objects.create(**{owner_name: owner}, field=fields["text"], value="Lojinha")
    model.objects.create(**{owner_name: owner}, field=fields["date"], value="2024-03-01")

    data, rows = _export(org_a, bob, entity)
    headers = rows[0]
    assert headers[-4:] == ["Apelido", "Lojas", "Desde", "Porte"]
    assert "Da B" not in headers
    assert rows[1][-4:] == ["Lojinha", None, "2024-03-01", None]

    # Re-importing the file as it is changes nothing.
    job = _import(org_a, bob, entity, data)
    assert job.counts["unchanged"] == 1, job.counts

    changed = _rewrite(
        data, {"Apelido": "", "Lojas": "12,50", "Desde": "05/07/2025", "Porte": "Grande"}
    )
    job = _import(org_a, bob, entity, changed)
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 0, "failed": 0}
    assert _values(entity, owner) == {"Lojas": "12.5", "Desde": "2025-07-05", "Porte": "Grande"}


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("Lojas", "muitas", "“Lojas”"),
        ("Desde", "31/02/2025", "“Desde”"),
        ("Porte", "Médio", "“Médio”"),
    ],
)
def test_a_bad_additional_value_fails_its_row_naming_the_column(
    org_a, bob, entity, header, value, reason
):
    factory, *_rest = ENTITIES[entity]
    _fields(org_a, entity)
    owner = factory(organization=org_a)
    data, _rows = _export(org_a, bob, entity)
    job = _import(org_a, bob, entity, _rewrite(data, {"Apelido": "Novo", header: value}))
    assert job.counts["failed"] == 1 and job.counts["updated"] == 0
    failure = ImportFailure.objects.get(job=job)
    assert reason in failure.reason and header in failure.reason
    # Nothing of the row was written.
    assert _values(entity, owner) == {}


def test_a_required_additional_field_left_empty_fails_the_row(org_a, bob):
    AdditionalFieldFactory(
        organization=org_a, entity=AdditionalField.Entity.CLIENT, label="Código", required=True
    )
    ClientFactory(organization=org_a)
    data, _rows = _export(org_a, bob, "clients")
    job = _import(org_a, bob, "clients", data)
    assert job.counts["failed"] == 1
    assert "Código" in ImportFailure.objects.get(job=job).reason


def test_a_new_record_gets_its_additional_values(org_a, bob):
    _fields(org_a, "clients")
    ClientFactory(organization=org_a, cnpj="11222333000181")
    data, _rows = _export(org_a, bob, "clients")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Dados"]
    headers = [cell.value for cell in sheet[1]]
    row = [None] * len(headers)
    row[headers.index("CNPJ")] = "12.ABC.345/01DE-35"
    row[headers.index("Razão social")] = "Nova Ltda"
    row[headers.index("Porte")] = "Pequeno"
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = _import(org_a, bob, "clients", buffer.getvalue())
    assert job.counts["created"] == 1, job.counts
    new = ClientAdditionalValue.objects.get(client__cnpj="12ABC34501DE35")
    assert (new.field.label, new.value) == ("Porte", "Pequeno")


def test_the_information_sheet_describes_the_additional_columns(org_a, bob):
    _fields(org_a, "specialists")
    SpecialistFactory(organization=org_a)
    data, _rows = _export(org_a, bob, "specialists")
    info = list(load_workbook(io.BytesIO(data))[INFO_SHEET].iter_rows(values_only=True))
    described = {row[0]: row for row in info[4:] if row and row[0]}
    assert "Pequeno, Grande" in described["Porte"][3]
    assert described["Desde"][3] == "DD/MM/AAAA ou AAAA-MM-DD"
    assert described["Lojas"][2] == "Número"


def test_the_empty_format_has_the_organizations_additional_columns(org_a, org_b, bob_client):
    _fields(org_a, "clients")
    AdditionalFieldFactory(organization=org_b, entity=AdditionalField.Entity.CLIENT, label="Da B")
    response = bob_client.post(
        reverse("importexport:export"), {"entity": "clients", "variant": "empty"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook["Dados"][1]]
    assert headers[-4:] == ["Apelido", "Lojas", "Desde", "Porte"] and "Da B" not in headers


@pytest.mark.skipif(
    "DATABASE_URL" not in os.environ, reason="the test worker shares a PostgreSQL test database"
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_exports_and_imports_the_additional_columns(celery_worker, org_a, bob):
    fields = _fields(org_a, "specialists")
    owner = SpecialistFactory(organization=org_a)
    AdditionalFieldValue.objects.create(specialist=owner, field=fields["number"], value="3")
    job = services.export_schedule(
        organization=org_a, user=bob, entity="specialists", variant="data", language="pt-br"
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        data = archive.read(archive.namelist()[0])
    job = services.import_schedule(
        organization=org_a,
        user=bob,
        entity="specialists",
        upload=SimpleUploadedFile("in.xlsx", _rewrite(data, {"Porte": "Pequeno", "Lojas": ""})),
        language="pt-br",
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.counts["updated"] == 1, job.counts
    assert _values("specialists", owner) == {"Porte": "Pequeno"}
