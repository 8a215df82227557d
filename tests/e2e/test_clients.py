from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests.factories import ProjectFactory, SearchableClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CLIENT_PAGE = r"/clientes/[0-9a-f-]{36}/$"


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

    # Create from the list's Novo menu, on the client's tabbed page: errors beside the fields
    # first, then on to the new client's page.
    page.get_by_label("Buscar por").fill("")
    expect(rows).to_have_count(2)
    page.locator(".page-header summary", has_text="Novo").click()
    page.locator(".page-header").get_by_role("link", name=re.compile("Novo Cliente")).click()
    expect(page).to_have_url(f"{live_server.url}/clientes/novo/")
    form = page.locator("main form").first
    form.get_by_label("CNPJ").fill("11.222.333/0001-82")
    form.get_by_label("Razão Social").fill("Ótica Três Irmãos ME")
    form.get_by_role("button", name="Criar Cliente").click()
    expect(page.locator("#id_cnpj-error")).to_contain_text("CNPJ válido")
    page.get_by_label("CNPJ").fill("11.222.333/0001-81")
    page.get_by_label("Email WVDS").fill("oticas@wvds.com.br")
    page.get_by_role("button", name="Criar Cliente").click()
    expect(page).to_have_url(re.compile(CLIENT_PAGE))
    client = Client.objects.get(cnpj="11222333000181")
    assert page.url == f"{live_server.url}/clientes/{client.code}/"
    expect(page.locator(".toast")).to_contain_text("criado")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ótica Três Irmãos ME")
    expect(page.locator("#client-terminals")).to_be_visible()
    expect(page.locator("#client-contacts")).to_be_visible()

    # Edit in place.
    page.get_by_label("Nome Fantasia").fill("Óticas Três Irmãos")
    page.get_by_role("button", name="Atualizar Cliente").click()
    expect(page.locator(".toast").last).to_contain_text("atualizado")
    assert Client.objects.get(cnpj="11222333000181").nome_fantasia == "Óticas Três Irmãos"

    # Delete from the client's page: confirmed, then back on the list.
    page.locator(".page-header").get_by_role("link", name=re.compile("Excluir")).click()
    expect(page.get_by_role("heading", name="Excluir cliente")).to_be_visible()
    page.get_by_role("button", name="Confirmar").click()
    expect(page).to_have_url(f"{live_server.url}/clientes/")
    expect(page.locator(".toast").last).to_contain_text("excluído")
    expect(rows).to_have_count(2)
    assert not Client.objects.filter(cnpj="11222333000181").exists()

    # Delete through the trash can, in the modal: the list refreshes in place.
    page.goto(f"{live_server.url}/clientes/?q=bela")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=re.compile("Excluir")).click()
    dialog = page.get_by_role("dialog", name="Excluir cliente")
    expect(dialog).to_contain_text("34.028.316/0001-03")
    dialog.get_by_role("button", name="Confirmar").click()
    expect(page.locator("#modal dialog")).to_have_count(0)
    expect(page.locator(".toast").last).to_contain_text("excluído")
    expect(page.locator("#client-results .empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/clientes/\?q=bela$"))


def test_the_create_page_opened_directly_leads_to_the_new_client(login, live_server, bob):
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/novo/")
    page.get_by_label("CNPJ").fill("11.222.333/0001-81")
    page.get_by_label("Razão Social").fill("Ótica Três Irmãos ME")
    page.get_by_role("button", name="Criar Cliente").click()
    expect(page).to_have_url(re.compile(CLIENT_PAGE))
    client = Client.objects.get(cnpj="11222333000181")
    assert page.url == f"{live_server.url}/clientes/{client.code}/"
    expect(page.get_by_role("button", name="Atualizar Cliente")).to_be_visible()


def test_the_project_selector_filters_the_list(login, live_server, bob, org_a):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    farmacias = ProjectFactory(organization=org_a, name="Farmácias")
    SearchableClientFactory(organization=org_a, razao_social="Loja São João Ltda").projects.add(
        varejo
    )
    SearchableClientFactory(organization=org_a, razao_social="Farmácia Bela Vista ME").projects.add(
        farmacias
    )
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/?q=ltda+me")
    rows = page.locator("#client-results tbody tr")
    page.get_by_label("Projeto", exact=True).select_option(label="Varejo")
    expect(page.get_by_label("Projeto", exact=True)).to_have_value(str(varejo.code))
    page.get_by_label("Buscar por").fill("")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Loja São João")
    page.get_by_label("Projeto", exact=True).select_option(label="Farmácias")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Farmácia Bela Vista")


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

    # Create: on to the new client's page (post/redirect/get), then delete it from there.
    page.goto(f"{live_server.url}/clientes/novo/")
    page.get_by_label("CNPJ").fill("11.222.333/0001-81")
    page.get_by_label("Razão Social").fill("Ótica Três Irmãos ME")
    page.get_by_role("button", name="Criar Cliente").click()
    client = Client.objects.get(cnpj="11222333000181")
    assert page.url == f"{live_server.url}/clientes/{client.code}/"
    assert "criado" in page.locator(".toast").inner_text()
    page.locator(".page-header").get_by_role("link", name=re.compile("Excluir")).click()
    page.get_by_role("button", name="Confirmar").click()
    assert page.url == f"{live_server.url}/clientes/"
    assert not Client.objects.filter(cnpj="11222333000181").exists()
    context.close()
