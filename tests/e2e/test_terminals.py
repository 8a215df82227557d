"""Terminals screen, the client page's terminal toggle and a new contact with automatic
dispatch, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from terminals.models import Terminal
from tests.factories import ClientFactory, DeviceTypeFactory, TerminalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_terminals_screen_searches_filters_and_creates(login, live_server, bob, org_a):
    DeviceTypeFactory(organization=org_a, name="LG webOS")
    TerminalFactory(organization=org_a, identifier="TRM-VITRINE", name="Vitrine")
    TerminalFactory(organization=org_a, identifier="TRM-CAIXA", name="Caixa", status="disconnected")
    page = login("bob")

    page.click("nav.sidenav >> text=Terminais")
    expect(page.locator("h1")).to_have_text("Terminais")
    page.fill("input[name=q]", "vitr")
    expect(page.locator("#terminal-results tbody tr")).to_have_count(1)
    expect(page.locator("#terminal-results")).to_contain_text("TRM-VITRINE")
    assert "q=vitr" in page.url
    page.fill("input[name=q]", "")
    page.select_option("select[name=status]", "disconnected")
    expect(page.locator("#terminal-results tbody tr")).to_have_count(1)
    expect(page.locator("#terminal-results")).to_contain_text("TRM-CAIXA")

    page.click("text=Novo Terminal")
    page.fill("input[name=identifier]", "TRM-NOVO")
    page.fill("input[name=name]", "Totem novo")
    page.select_option("select[name=device_type]", label="LG webOS")
    page.click("button:has-text('Criar Terminal')")
    expect(page.locator("h1")).to_contain_text("Totem novo")
    expect(page.locator(".toast")).to_contain_text("Terminal Totem novo criado.")
    assert Terminal.objects.get(identifier="TRM-NOVO").device_type.name == "LG webOS"


def test_the_client_page_toggle_links_a_terminal(login, live_server, bob, org_a):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    terminal = TerminalFactory(
        organization=org_a, name="Painel da loja", email_wvds="cvc@b2midia.com.br", client=None
    )
    TerminalFactory(organization=org_a, name="Outra conta", email_wvds="outra@b2midia.com.br")
    page = login("bob")

    page.goto(f"{live_server.url}/terminais/cliente/{client.code}/")
    section = page.locator("#client-terminals")
    expect(section).to_contain_text("Painel da loja")
    expect(section).not_to_contain_text("Outra conta")
    section.locator(".switch").first.click()
    expect(page.locator(".toast").last).to_contain_text("Terminal Painel da loja vinculado.")
    expect(section.locator("input[name=linked]")).to_be_checked()
    terminal.refresh_from_db()
    assert terminal.client == client


def test_a_new_contact_with_automatic_dispatch(login, live_server, bob, org_a):
    client = ClientFactory(organization=org_a)
    page = login("bob")
    page.goto(f"{live_server.url}/contatos/cliente/{client.code}/")

    page.click("summary:has-text('Novo Contato')")
    toggle = page.locator(".new-contact .auto-dispatch")
    expect(toggle).to_be_hidden()  # appears once an e-mail is typed
    page.fill("input[name=new-name]", "Ana Souza")
    page.fill("textarea[name=new-notes]", "Gerente da loja")
    page.fill("input[name=new-email]", "ana@cliente.com.br")
    expect(toggle).to_be_visible()
    expect(toggle).to_contain_text(
        "Verifique qual email será configurado o disparo automático, antes de ativar a opção."
    )
    page.fill("input[name=new-phone]", "(11) 91234-5678")
    toggle.locator(".switch").click()
    page.click(".new-contact button:has-text('Salvar')")

    row = page.locator("#client-contacts tbody tr", has_text="Ana Souza")
    expect(row).to_contain_text("(11) 91234-5678")
    expect(row).to_contain_text("Ativado")
    contact = Contact.objects.get()
    assert (contact.email, contact.phone, contact.auto_dispatch) == (
        "ana@cliente.com.br",
        "+5511912345678",
        True,
    )

    row.locator("a[title=Editar]").click()
    page.fill("input[name=edit-name]", "Ana Maria Souza")
    page.click("#client-contacts tr.editing button:has-text('Salvar')")
    expect(page.locator("#client-contacts tbody")).to_contain_text("Ana Maria Souza")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#client-contacts tbody tr", has_text="Ana Maria").locator(
        "button[title=Excluir]"
    ).click()
    expect(page.locator("#client-contacts")).to_contain_text("Nenhum contato ainda.")
