"""The History sections in headless Chromium: a record's changes load when the section comes
into view, older pages load in place, and without JavaScript the link opens a page."""

from __future__ import annotations

import os

import pytest
from auditlog.context import set_actor
from playwright.sync_api import expect

from tenancy.audit import record_event
from terminals.services import device_type_update
from tests.factories import DeviceTypeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("VIGIA_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    # Screens are looked at while building them; CI does not keep the files.
    if SHOTS:
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})


def test_a_device_types_history_loads_in_view_and_pages(login, live_server, alice, org_a):
    device_type = DeviceTypeFactory(organization=org_a, name="Android")
    with set_actor(alice):
        for n in range(22):
            device_type_update(
                organization=org_a,
                device_type=device_type,
                name=f"Android {n:02d}",
                reconnection_procedure="<p>Reinicie.</p>",
            )
    page = login("alice")
    page.goto(f"{live_server.url}/terminais/tipos/{device_type.code}/")
    history = page.locator("#history")
    history.scroll_into_view_if_needed()
    expect(history.locator(".history-entry").first).to_contain_text("Android 21")
    expect(history.locator(".history-entry").first).to_contain_text("Android 20")
    expect(history.locator(".history-entry")).to_have_count(20)
    _shot(page, "device-type-history")
    history.locator("a[rel=next]").click()
    expect(history.locator(".history-entry").first).to_contain_text("Android 01")
    assert "/terminais/tipos/" in page.url  # loaded in place


def test_the_settings_history_lists_the_organizations_events(login, live_server, alice, org_a):
    record_event(
        organizations=[org_a],
        event="import",
        actor=alice,
        file="clientes.xlsx",
        format="clients",
        created=120,
        updated=3,
        failed=2,
    )
    page = login("alice")
    page.goto(f"{live_server.url}/configuracoes/")
    history = page.locator("#history")
    history.scroll_into_view_if_needed()
    expect(history).to_contain_text("clientes.xlsx")
    # With the login that opened the page, the organization's creation and alice's membership.
    expect(history.locator(".history-entry")).to_have_count(4)
    _shot(page, "settings-history")


def test_without_javascript_the_link_opens_the_history_page(browser, live_server, alice, org_a):
    device_type = DeviceTypeFactory(organization=org_a, name="Tizen")
    context = browser.new_context(java_script_enabled=False, locale="pt-BR")
    page = context.new_page()
    page.goto(f"{live_server.url}/entrar/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/terminais/tipos/{device_type.code}/")
    page.locator("#history a").click()
    assert "/historico/tipo-de-equipamento/" in page.url
    expect(page.locator(".history-entry").first).to_contain_text("Tizen")
    context.close()


def test_a_clients_history_lists_its_contacts_changes(login, live_server, alice, org_a):
    from contacts.services import contact_update
    from tests.factories import ClientFactory, ContactFactory

    client = ClientFactory(organization=org_a, nome_fantasia="Padaria Central")
    contact = ContactFactory(client=client, name="Maria Souza")
    with set_actor(alice):
        contact_update(organization=org_a, contact=contact, name="Maria S. Lima")
    page = login("alice")
    page.goto(f"{live_server.url}/clientes/{client.code}/")
    history = page.locator("#history")
    history.scroll_into_view_if_needed()
    expect(history.locator(".history-entry").first).to_contain_text("Maria S. Lima")
    expect(history.locator(".history-entry").first).to_contain_text("Maria Souza")
    _shot(page, "client-history")


def test_an_organization_admin_uses_the_scoped_django_admin(login, live_server, alice, org_a):
    from tests.factories import ClientFactory, OrganizationFactory

    alice.is_staff = True
    alice.save()
    ClientFactory(organization=org_a, razao_social="Padaria Central Ltda")
    ClientFactory(organization=OrganizationFactory(name="Outra"), razao_social="Alheia Ltda")
    page = login("alice")
    page.goto(f"{live_server.url}/admin/clients/client/")
    expect(page.locator("#result_list")).to_contain_text("Padaria Central")
    expect(page.locator("#result_list")).not_to_contain_text("Alheia")
    _shot(page, "admin-clients")
