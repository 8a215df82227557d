from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from importexport.models import ImportFailure
from notifications.models import Job
from tests.factories import _cnpj
from tests.importexport.conftest import CLIENT_HEADERS, write_xlsx

INDEX = reverse("importexport:index")


def _xlsx(tmp_path, rows, headers=CLIENT_HEADERS) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "clientes.xlsx", headers, rows)
    return SimpleUploadedFile("clientes.xlsx", path.read_bytes())


def _client_row(n: int) -> list:
    return [_cnpj(n), f"Empresa {n}", "", "", "", "", "active", "", ""]


def test_it_lists_the_entities_with_their_entry_points(bob_client):
    response = bob_client.get(INDEX)
    assert response.status_code == 200
    for label in ("Clientes", "Especialistas", "Contatos", "Terminais"):
        assert label in response.text
    assert "Formato de exportação" in response.text and "Importar formato" in response.text
    assert f"{INDEX}?entity=clients&amp;dialog=export" in response.text


def _dialog_tag(html: str) -> str:
    (tag,) = re.findall(r"<dialog\b[^>]*>", html)
    return tag


def test_it_opens_a_dialog_from_a_link_without_javascript(bob_client):
    # On the page of the dialog's own address it is open: usable without JavaScript (vigia.js
    # makes it a modal).
    response = bob_client.get(INDEX, {"entity": "clients", "dialog": "export"})
    assert "Formato vazio (criação de registros e relacionamentos)" in response.text
    assert _dialog_tag(response.text).endswith(' aria-labelledby="export-title" open>')
    response = bob_client.get(INDEX, {"entity": "clients", "dialog": "import"})
    assert 'type="file"' in response.text and "Salvar" in response.text
    assert _dialog_tag(response.text).endswith(' aria-labelledby="import-title" open>')
    for name in ("export_dialog", "import_dialog"):
        response = bob_client.get(reverse(f"importexport:{name}"), {"entity": "terminals"})
        assert "<html" in response.text and _dialog_tag(response.text).endswith(" open>")


def test_a_refused_export_without_javascript_keeps_its_dialog_open(bob_client):
    response = bob_client.post(reverse("importexport:export"), {"entity": "clients"})
    assert response.status_code == 422
    assert _dialog_tag(response.text).endswith(" open>")
    assert 'class="error"' in response.text


def test_it_returns_only_the_dialog_to_htmx(bob_client, htmx_headers):
    response = bob_client.get(
        reverse("importexport:export_dialog"), {"entity": "specialists"}, **htmx_headers
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    # Closed: vigia.js opens it as a modal once swapped into #modal.
    assert _dialog_tag(response.text) == (
        '<dialog class="dialog" data-modal aria-labelledby="export-title">'
    )
    assert "Com dados sem relacionamentos/turnos" in response.text
    assert 'name="entity" value="specialists"' in response.text


def test_it_answers_404_for_an_unknown_entity(bob_client):
    assert bob_client.get(reverse("importexport:export_dialog"), {"entity": "x"}).status_code == 404
    response = bob_client.post(reverse("importexport:export"), {"entity": "x"})
    assert response.status_code == 404


def test_it_downloads_the_empty_format_at_once(bob_client):
    response = bob_client.post(
        reverse("importexport:export"), {"entity": "clients", "variant": "empty"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="clients-formato')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Dados", "Informações"]
    assert not Job.objects.exists()


def test_it_schedules_an_export_with_data(bob_client, bob, org_a):
    response = bob_client.post(
        reverse("importexport:export"), {"entity": "clients", "variant": "data"}, follow=True
    )
    job = Job.objects.get()
    assert (job.user, job.organization, job.kind, job.variant) == (bob, org_a, "export", "data")
    assert job.status == Job.Status.PENDING
    assert "A exportação foi agendada" in response.text


def test_it_refuses_a_bad_upload_with_a_message(bob_client, tmp_path):
    response = bob_client.post(
        reverse("importexport:import"),
        {"entity": "clients", "file": SimpleUploadedFile("x.csv", b"a;b")},
    )
    assert response.status_code == 422
    assert "Escolha um arquivo .xlsx" in response.text
    assert not Job.objects.exists()


def test_it_refuses_an_upload_with_missing_columns_via_htmx(bob_client, tmp_path, htmx_headers):
    response = bob_client.post(
        reverse("importexport:import"),
        {"entity": "clients", "file": _xlsx(tmp_path, [["x"]], headers=["CNPJ"])},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Colunas ausentes: Razão social" in response.text
    # The dialog comes back whole into #modal; vigia.js opens it on the field in error.
    assert _dialog_tag(response.text).endswith('aria-labelledby="import-title">')
    assert 'aria-invalid="true"' in response.text
    assert not Job.objects.exists()


def test_it_schedules_an_import_via_htmx(bob_client, tmp_path, htmx_headers):
    response = bob_client.post(
        reverse("importexport:import"),
        {"entity": "clients", "file": _xlsx(tmp_path, [_client_row(1)])},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "vigia:jobs-changed" in response["HX-Trigger"]
    assert "A importação foi agendada" in response.text
    job = Job.objects.get()
    assert job.kind == Job.Kind.IMPORT and job.source_name == "clientes.xlsx"


def _done_import(org, user) -> Job:
    job = Job.objects.create(
        organization=org,
        user=user,
        kind=Job.Kind.IMPORT,
        entity="clients",
        status=Job.Status.DONE,
        counts={"created": 3, "updated": 1, "unchanged": 0, "failed": 1},
    )
    ImportFailure.objects.create(job=job, row_number=4, cells=["x"], reason="CNPJ inválido")
    return job


def test_it_shows_the_import_details(bob_client, bob, org_a):
    job = _done_import(org_a, bob)
    response = bob_client.get(reverse("importexport:import_detail", args=[job.code]))
    assert response.status_code == 200
    assert "Detalhes da importação" in response.text and "CNPJ inválido" in response.text
    job.refresh_from_db()
    assert job.read_at is not None


def test_it_checks_ownership(charlie_client, alice_client, bob, org_a):
    job = _done_import(org_a, bob)
    url = reverse("importexport:import_detail", args=[job.code])
    assert charlie_client.get(url).status_code == 404
    # A colleague in the same organization does not see bob's jobs either.
    assert alice_client.get(url).status_code == 404
