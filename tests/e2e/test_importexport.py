"""The import/export screens and the notifications panel in a real browser, with a real
Celery worker doing the jobs."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from importexport.xlsx import REASON_HEADER
from tests.factories import ClientFactory, ClientGroupFactory, _cnpj
from tests.importexport.conftest import CLIENT_HEADERS, celery_worker, job_files, write_xlsx  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker"),
]


def test_it_exports_and_imports_through_the_notifications(
    page, login, live_server, org_a, bob, project_a, tmp_path
):
    group = ClientGroupFactory(organization=org_a, name="Shoppings")
    for n in range(12):
        ClientFactory(organization=org_a, cnpj=_cnpj(n)).groups.add(group)
    login("bob")
    page.goto(f"{live_server.url}/importar-exportar/")

    # The empty format downloads at once.
    page.locator("#entity-clients").get_by_role("link", name="Formato de exportação").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Formato vazio")
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Formato de exportação").click()
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert [c.value for c in workbook["Dados"][1]] == CLIENT_HEADERS

    # With data: scheduled, the bell shows it pending, then done (green); a click downloads it.
    page.locator("#entity-clients").get_by_role("link", name="Formato de exportação").click()
    page.get_by_label("Com dados (atualização de registros e seus relacionamentos)").check()
    page.get_by_role("dialog").get_by_role("button", name="Formato de exportação").click()
    expect(page.locator(".toast")).to_contain_text("A exportação foi agendada")
    bell = page.locator("#notifications-bell")
    bell.locator("summary").click()
    expect(bell.locator(".job").first).to_be_visible()
    expect(bell.locator(".job-done").first).to_contain_text("Concluído", timeout=60_000)
    with page.expect_download() as download:
        bell.locator(".job-done a").first.click()
    with zipfile.ZipFile(download.value.path()) as archive:
        (name,) = archive.namelist()
        sheet = load_workbook(io.BytesIO(archive.read(name)))["Dados"]
    assert sheet.max_row == 13

    # Import a file with one bad row; the notification opens the details.
    rows = [[_cnpj(100 + n), f"Nova {n}", "", "", "", "", "", "", ""] for n in range(3)]
    rows.append(["12.345.678/0001-00", "CNPJ errado", "", "", "", "", "", "", ""])
    path = write_xlsx(tmp_path / "novos.xlsx", CLIENT_HEADERS, rows)
    page.goto(f"{live_server.url}/importar-exportar/?entity=clients")
    page.locator("#entity-clients").get_by_role("link", name="Importar formato").click()
    page.get_by_label("Arquivo (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Salvar").click()
    expect(page.locator(".toast")).to_contain_text("A importação foi agendada")
    expect(page.get_by_role("dialog")).to_have_count(0)
    bell.locator("summary").click()
    imported = bell.locator(".job", has_text="Importação de clientes").first
    expect(imported).to_contain_text("Concluído", timeout=60_000)
    expect(imported).to_contain_text("3 criados, 1 com erro")
    imported.locator("a").click()
    expect(page.get_by_role("heading", name="Detalhes da importação")).to_be_visible()
    expect(page.get_by_text("Criados", exact=True)).to_be_visible()
    expect(page.locator("table")).to_contain_text("não é um CNPJ válido")
    with page.expect_download() as download:
        page.get_by_role("link", name="Baixar as linhas com erro (.xlsx)").click()
    failed = load_workbook(io.BytesIO(download.value.path().read_bytes()))["Dados"]
    assert failed["A2"].value == "12.345.678/0001-00"
    headers = [cell.value for cell in failed[1]]
    assert "CNPJ" in failed.cell(2, headers.index(REASON_HEADER) + 1).value
