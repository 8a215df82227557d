"""Keyboard only: Tab, Enter, Space, the arrows and Escape, never the mouse. A toast's
place is checked here too: it must not cover the button the keyboard just pressed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests.factories import (
    ClientFactory,
    SearchableClientFactory,
    SpecialistFactory,
    TerminalFactory,
)
from tokens.models import IntegrationToken

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 80, key: str = "Tab") -> None:
    """Presses Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} never took focus within {limit} presses of {key}")


def focused(page, selector: str) -> bool:
    return page.evaluate(
        "s => document.activeElement && document.activeElement.matches(s)", selector
    )


def test_skip_link_menus_and_tabs(login, live_server, bob, org_a):
    client = SearchableClientFactory(organization=org_a, razao_social="Padaria Pão de Ouro Ltda")
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/{client.code}/")

    # The first Tab stop skips the navigation.
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link")
    page.keyboard.press("Enter")
    assert focused(page, "main#content")

    # Escape closes the user menu and gives focus back to its button.
    tab_to(page, "details.menu:not(.menu-new) > summary", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("details.menu:not(.menu-new)")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(page.locator("details.menu[open]")).to_have_count(0)
    assert focused(page, "details.menu > summary")

    # The bell's panel too.
    bell = page.locator("#notifications-bell summary")
    expect(bell).to_be_visible()
    tab_to(page, "#notifications-bell summary", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#notifications-bell details[open]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("#notifications-bell details[open]")).to_have_count(0)

    # Tabs: only the selected one is a Tab stop; the arrows, Home and End move between them.
    tab_to(page, "[role=tab][aria-selected=true]")
    first = page.locator("[role=tab]").first
    page.keyboard.press("ArrowRight")
    expect(page.locator("[role=tab][aria-selected=true]")).not_to_have_text(first.inner_text())
    expect(page.locator("[role=tab][aria-selected=true]")).to_be_focused()
    page.keyboard.press("Home")
    expect(page.locator("[role=tab]").first).to_have_attribute("aria-selected", "true")
    expect(page.locator("[role=tab]").first).to_be_focused()


def test_new_client_and_delete_with_confirm(login, live_server, bob):
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/novo/")
    tab_to(page, "input[name=cnpj]")
    page.keyboard.type("11.222.333/0001-81")
    tab_to(page, "input[name=razao_social]")
    page.keyboard.type("Ótica Três Irmãos ME")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/clientes/[0-9a-f-]{36}/$"))
    assert Client.objects.filter(cnpj="11222333000181").exists()

    page.keyboard.press("Tab")  # the skip link
    tab_to(page, ".page-header a[href$='/excluir/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Excluir cliente")).to_be_visible()
    tab_to(page, "button.btn-danger[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/clientes/")
    assert not Client.objects.filter(cnpj="11222333000181").exists()


def tab_stays_in_dialog(page, presses: int = 12) -> None:
    """Tab and Shift+Tab never reach the page behind the open modal dialog (past its last
    control focus may pass through the browser's own controls, then comes back in)."""
    for key in ["Tab"] * presses + ["Shift+Tab"] * presses:
        page.keyboard.press(key)
        assert page.evaluate(
            "() => document.activeElement === document.body"
            " || !!document.activeElement.closest('dialog[open]')"
        ), f"{key} left the dialog"


def test_new_client_and_delete_in_their_dialogs(login, live_server, bob):
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/")
    opener = "#client-results a[hx-get$='/clientes/novo/']"
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.locator("#modal dialog[open]")
    expect(dialog).to_be_visible()
    assert page.evaluate("() => document.querySelector('#modal dialog').matches(':modal')")
    expect(page.locator("#modal input[name=cnpj]")).to_be_focused()
    tab_stays_in_dialog(page)

    # Refused: the dialog stays open with the errors, focus on the first one.
    tab_to(page, "#modal input[name=cnpj]")
    page.keyboard.type("11.222.333/0001-82")
    tab_to(page, "#modal input[name=razao_social]")
    page.keyboard.type("Ótica Três Irmãos ME")
    tab_to(page, "#modal button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_cnpj-error")).to_be_visible()
    expect(dialog).to_be_visible()
    expect(page.locator("#modal input[name=cnpj]")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("11.222.333/0001-81")
    tab_to(page, "#modal button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/clientes/[0-9a-f-]{36}/$"))
    client = Client.objects.get(cnpj="11222333000181")

    # Delete from the list's trash can: Escape first gives focus back to it, then confirmed.
    page.goto(f"{live_server.url}/clientes/")
    trash = f"#client-{client.code} a.icon-danger"
    tab_to(page, trash)
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Excluir cliente")).to_be_visible()
    tab_stays_in_dialog(page)
    page.keyboard.press("Escape")
    expect(page.locator("#modal dialog")).to_have_count(0)
    assert focused(page, trash)
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("11.222.333/0001-81")
    tab_to(page, "#modal button.btn-danger[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#modal dialog")).to_have_count(0)
    expect(page.locator(f"#client-{client.code}")).to_have_count(0)
    assert not Client.objects.filter(pk=client.pk).exists()


def test_an_export_from_the_dialog(login, live_server, bob):
    page = login("bob")
    page.goto(f"{live_server.url}/importar-exportar/")
    opener = "#entity-clients a[hx-get*='/exportar/?']"
    tab_to(page, opener)
    page.keyboard.press("Enter")
    expect(page.locator("#modal dialog[open]")).to_be_visible()
    # Focus moved into the dialog, and Tab keeps it there.
    expect(page.locator("#modal :focus")).to_have_count(1)
    tab_stays_in_dialog(page)
    tab_to(page, "#modal button[type=submit]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".xlsx")
    # Closed, focus is back on what opened it.
    expect(page.locator("#modal dialog")).to_have_count(0)
    assert focused(page, opener)


def test_a_dialog_on_its_own_page_is_a_modal_too(login, live_server, bob):
    page = login("bob")
    page.goto(f"{live_server.url}/importar-exportar/?entity=clients&dialog=import")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    assert page.evaluate("() => document.querySelector('dialog[open]').matches(':modal')")
    expect(page.locator("dialog input[type=file]")).to_be_focused()
    tab_stays_in_dialog(page, presses=6)
    # Cancel closes it in place (without JavaScript it is a link back to the screen).
    tab_to(page, "dialog a[data-modal-close]")
    page.keyboard.press("Enter")
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"dialog=import$"))


def test_a_toast_never_covers_the_button_just_used(login, live_server, bob, org_a):
    client = SearchableClientFactory(organization=org_a, razao_social="Padaria Pão de Ouro Ltda")
    page = login("bob")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/clientes/{client.code}/")
    save = "#profile-form button[type=submit]"
    tab_to(page, save, limit=120)
    # The button at the bottom edge of the screen, where the toasts are.
    page.evaluate(
        "s => { const b = document.querySelector(s); window.scrollBy(0, b.getBoundingClientRect().bottom - innerHeight + 8); }",
        save,
    )
    page.keyboard.press("Enter")
    toast = page.locator(".toast").last
    expect(toast).to_be_visible()
    a, b = toast.bounding_box(), page.locator(save).bounding_box()
    overlap = (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )
    assert not overlap, (a, b)


def test_a_terminal_toggle(login, live_server, bob, org_a):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    terminal = TerminalFactory(
        organization=org_a, name="Painel da loja", email_wvds="cvc@b2midia.com.br", client=None
    )
    page = login("bob")
    page.goto(f"{live_server.url}/terminais/cliente/{client.code}/")
    tab_to(page, "#client-terminals input[name=linked]")
    page.keyboard.press("Space")
    expect(page.locator(".toast").last).to_contain_text("Terminal Painel da loja vinculado.")
    terminal.refresh_from_db()
    assert terminal.client == client


def test_issuing_a_token(login, live_server, bob, org_a):
    specialist = SpecialistFactory(organization=org_a)
    page = login("bob")
    page.goto(f"{live_server.url}/especialistas/{specialist.code}/?tab=tokens")
    tab_to(page, "#id_description", limit=120)
    page.keyboard.type("Player da loja")
    tab_to(page, "#id_expires_on")
    # Headless Chromium shows date fields month first whatever the page's language.
    page.keyboard.type("12312099")
    tab_to(page, "#tab-panel form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#new-token")).to_have_value(re.compile(r"^vg_"))
    assert IntegrationToken.objects.filter(specialist=specialist).exists()
