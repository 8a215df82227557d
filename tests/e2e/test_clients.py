from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests.factories import SearchableClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clients_a(org_a):
    SearchableClientFactory(
        organization=org_a,
        cnpj="12ABC34501DE35",
        razao_social="Comércio São João Ltda",
        nome_fantasia="Padaria Pão de Ouro",
        conta="sp-0042",
        email_wvds="cvc@b2midia.com.br",
    )
    SearchableClientFactory(
        organization=org_a,
        cnpj="34028316000103",
        razao_social="Farmácia Bela Vista ME",
        nome_fantasia="Bela Vista",
        conta="rj-0007",
        email_wvds="bela@wvds.com.br",
    )


def test_it_searches_creates_edits_and_deletes_a_client(login, live_server, bob, clients_a):
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/")
    rows = page.locator("#client-results tbody tr")
    expect(rows).to_have_count(2)

    # Search as the operator types: accents ignored, URL follows, matches highlighted.
    page.get_by_label("Buscar por").press_sequentially("sao joao", delay=30)
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/clientes/\?q=sao(\+|%20)joao$"))
    expect(rows.first.locator("mark").first).to_have_text("São")
    page.get_by_label("Buscar por").fill("345.678/9999")
    expect(page.locator("#client-results .empty")).to_contain_text("Nenhum cliente corresponde")

    # Back restores the previous search.
    page.go_back()
    expect(page.get_by_label("Buscar por")).to_have_value("sao joao")
    expect(rows).to_have_count(1)

    # Create in the modal: errors beside the fields first, then success with a toast.
    page.get_by_label("Buscar por").fill("")
    expect(rows).to_have_count(2)
    page.locator(".page-header").get_by_role("link", name=re.compile("Novo Cliente")).click()
    modal = page.locator("#modal .modal")
    expect(modal).to_be_visible()
    modal.get_by_label("CNPJ").fill("11.222.333/0001-82")
    modal.get_by_label("Razão Social").fill("Ótica Três Irmãos ME")
    modal.get_by_role("button", name="Criar Cliente").click()
    expect(modal.locator("#id_cnpj-error")).to_contain_text("CNPJ válido")
    modal.get_by_label("CNPJ").fill("11.222.333/0001-81")
    modal.get_by_label("Email WVDS").fill("oticas@wvds.com.br")
    modal.get_by_role("button", name="Criar Cliente").click()
    expect(page.locator("#modal .modal")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text("criado")
    expect(rows).to_have_count(3)
    assert Client.objects.filter(cnpj="11222333000181").exists()

    # Edit through the pencil.
    row = rows.filter(has_text="Ótica Três Irmãos ME")
    row.get_by_role("link", name=re.compile("Editar")).click()
    expect(page.get_by_role("heading", name="Editar cliente")).to_be_visible()
    expect(page.locator("#client-terminals")).to_be_visible()
    expect(page.locator("#client-contacts")).to_be_visible()
    page.get_by_label("Nome Fantasia").fill("Óticas Três Irmãos")
    page.get_by_role("button", name="Atualizar Cliente").click()
    expect(page.locator(".toast")).to_contain_text("atualizado")
    assert Client.objects.get(cnpj="11222333000181").nome_fantasia == "Óticas Três Irmãos"

    # Delete through the trash can, with confirmation.
    page.goto(f"{live_server.url}/clientes/?q=tres")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=re.compile("Excluir")).click()
    expect(page.locator("#modal .modal")).to_contain_text("11.222.333/0001-81")
    page.locator("#modal").get_by_role("button", name="Confirmar").click()
    expect(page.locator(".toast").last).to_contain_text("excluído")
    expect(page.locator("#client-results .empty")).to_be_visible()
    assert not Client.objects.filter(cnpj="11222333000181").exists()


def test_it_works_without_javascript(browser, live_server, bob, clients_a, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(java_script_enabled=False, locale="pt-BR")
    page = context.new_page()
    page.goto(f"{live_server.url}/entrar/")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/clientes/")
    page.get_by_label("Buscar por").fill("bela vista")
    page.get_by_role("button", name="Buscar", exact=True).click()
    assert "q=bela+vista" in page.url
    assert page.locator("#client-results tbody tr").count() == 1
    page.get_by_role("link", name=re.compile("Excluir")).click()
    page.get_by_role("button", name="Confirmar").click()
    assert page.url.endswith("/clientes/")
    assert "excluído" in page.locator(".toast").inner_text()
    context.close()
