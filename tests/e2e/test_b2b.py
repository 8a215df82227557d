"""Browser tests of the B2B user dialog on the client list and of the catalogs' screens."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalogs.models import Catalog, CatalogDocument
from catalogs.services import catalog_create
from portal.models import PortalAccount
from tenancy.models import User
from tests.factories import SearchableClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Where the screenshots go, to be looked at; the test's own temporary folder by default.
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _shot(page, tmp_path: Path, name: str, *, full_page: bool = False) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        # caret="initial": hiding the caret leaves style="" on the inputs, which htmx's
        # settle then copies over, and the Content-Security-Policy refuses that.
        page.screenshot(
            path=str(folder / f"{name}-{width}.png"), full_page=full_page, caret="initial"
        )
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def english(alice, bob):
    # The labels are checked in English, the source language, whatever the translations say.
    User.objects.filter(pk__in=[alice.pk, bob.pk]).update(language="en")


@pytest.fixture
def clients_a(org_a):
    estrela = SearchableClientFactory(
        organization=org_a, cnpj="12345678000195", razao_social="Padaria Estrela Ltda"
    )
    SearchableClientFactory(
        organization=org_a, cnpj="34028316000103", razao_social="Farmácia Bela Vista ME"
    )
    return estrela


def test_an_operator_registers_and_edits_a_b2b_user(
    login, live_server, org_a, bob, english, clients_a, tmp_path
):
    summer = catalog_create(organization=org_a, name="Coleção Verão")
    winter = catalog_create(organization=org_a, name="Coleção Inverno")
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/")
    rows = page.locator("#client-results tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="Padaria Estrela")
    expect(row.locator(".badge-b2b")).to_have_count(0)

    row.get_by_text("Actions").click()
    _shot(page, tmp_path, "b2b-actions-menu")
    row.get_by_role("link", name="Register B2B user").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("User")).to_have_value("12345678")
    dialog.get_by_label("E-mail").fill("compras@estrela.com.br")
    dialog.get_by_label("Password").fill("123")
    expect(dialog.locator("#password-policy li.met")).to_have_count(0)
    _shot(page, tmp_path, "b2b-dialog")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator(".error").first).to_be_visible()
    expect(dialog).to_contain_text("too short")
    expect(dialog.get_by_label("Password")).to_have_value("")  # never shown back

    # Typed key by key, as a person does: the form htmx has just swapped in may still be
    # settling when the first key arrives.
    dialog.get_by_label("Password").press_sequentially("Estrela#2026", delay=20)
    expect(dialog.locator("#password-policy li.met")).to_have_count(2)
    dialog.get_by_label("Coleção Verão").check()
    _shot(page, tmp_path, "b2b-dialog-filled")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text("B2B user created")
    expect(row.locator(".badge-b2b")).to_have_text("B2B")
    account = PortalAccount.objects.get()
    assert account.username == "12345678"
    assert account.status == PortalAccount.Status.ACTIVE
    assert list(clients_a.catalogs.all()) == [summer]

    # The filter: only the clients with B2B access, then only those without.
    page.get_by_label("B2B access").select_option(label="With B2B access")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Padaria Estrela")
    expect(page).to_have_url(re.compile(r"b2b=with"))
    _shot(page, tmp_path, "b2b-list-filtered")
    page.get_by_label("B2B access").select_option(label="Without B2B access")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Farmácia Bela Vista")
    page.get_by_label("B2B access").select_option(label="All clients")
    expect(rows).to_have_count(2)

    # Editing: the user name stays, the password and the catalogs change.
    row.get_by_text("Actions").click()
    row.get_by_role("link", name="Edit B2B user").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("User")).to_be_disabled()
    expect(dialog.get_by_label("Coleção Verão")).to_be_checked()
    dialog.get_by_label("Password").fill("Outra#Senha9")
    dialog.get_by_label("Coleção Verão").uncheck()
    dialog.get_by_label("Coleção Inverno").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator(".toast").last).to_contain_text("updated")
    account.refresh_from_db()
    assert account.check_password("Outra#Senha9")
    assert list(clients_a.catalogs.all()) == [winter]

    # Escape closes the dialog and changes nothing.
    row.get_by_text("Actions").click()
    row.get_by_role("link", name="Edit B2B user").click()
    expect(page.locator("dialog[open]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog")).to_have_count(0)

    # Without htmx (a full-page visit) the dialog is a page of its own.
    page.goto(f"{live_server.url}/clientes/{clients_a.code}/b2b/")
    expect(page.get_by_role("heading", name="Edit B2B user")).to_be_visible()
    _shot(page, tmp_path, "b2b-page", full_page=True)


def test_an_admin_manages_catalogs(
    login, live_server, org_a, alice, english, clients_a, tmp_path, pdf_file, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = login("alice")
    page.goto(f"{live_server.url}/clientes/")
    page.locator(".sidenav").get_by_role("link", name="Catalogs").click()
    expect(page.get_by_role("heading", name="Catalogs", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Coleção Verão")
    page.get_by_label("Description").fill("Lançamentos da estação")
    page.get_by_role("button", name="Create catalog").click()
    expect(page.get_by_role("heading", name="Coleção Verão")).to_be_visible()
    catalog = Catalog.objects.get()

    documents = page.locator("#documents")
    documents.get_by_label("Title").fill("Tabela de preços")
    documents.get_by_label("File").set_input_files(str(pdf_file))
    documents.get_by_role("button", name="Add document").click()
    expect(page.locator("#documents tbody tr")).to_have_count(1)
    documents.get_by_label("Title").fill("Site")
    documents.get_by_label("or a link").fill("javascript:alert(1)")
    documents.get_by_role("button", name="Add document").click()
    expect(page.locator("#documents")).to_contain_text("http://")
    documents.get_by_label("or a link").fill("https://example.com/verao")
    documents.get_by_role("button", name="Add document").click()
    expect(page.locator("#documents tbody tr")).to_have_count(2)
    page.locator("#documents tbody tr").nth(1).get_by_role("button", name=re.compile("up")).click()
    expect(page.locator("#documents tbody tr").first).to_contain_text("Site")

    # The PDF is served to members only, by the organization-checked view.
    link = page.get_by_role("link", name="Tabela de preços.pdf")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == pdf_file.read_bytes()

    release = page.locator("#release")
    release.get_by_label("Release to a client").fill("estrela")
    release.get_by_role("button", name="Release").click()
    expect(page.locator("#release tbody tr")).to_have_count(1)
    assert list(catalog.clients.all()) == [clients_a]
    _shot(page, tmp_path, "catalog-detail", full_page=True)

    page.get_by_role("link", name="← Catalogs").click()
    expect(page.locator(".catalogs-table tbody tr")).to_have_count(1)
    expect(page.locator(".catalogs-table")).to_contain_text("1 client")
    _shot(page, tmp_path, "catalog-list", full_page=True)
    page.on("dialog", lambda confirm: confirm.accept())
    page.locator(".catalogs-table").get_by_role("link", name="Delete Coleção Verão").click()
    expect(page.locator("main .empty")).to_be_visible()
    assert not CatalogDocument.objects.exists()


@pytest.fixture
def pdf_file(tmp_path) -> Path:
    from weasyprint import HTML

    path = tmp_path / "Tabela de preços.pdf"
    path.write_bytes(HTML(string="<h1>Tabela de preços</h1>").write_pdf())
    return path
