"""The main screens and the admin under the Content-Security-Policy: nothing they need is
blocked. The page fixture fails any browser test that causes a violation; these walk the
screens no other browser test opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, ClientFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_main_screens_cause_no_policy_violation(login, live_server, bob, org_a):
    client = ClientFactory(organization=org_a)
    page = login("bob")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in (
        "/",
        "/clientes/",
        f"/clientes/{client.code}/",
        "/importar-exportar/",
        "/importar-exportar/exportar/?entity=clients",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # The notifications panel opens from the bell, which htmx loads.
    page.goto(f"{live_server.url}/")
    page.locator("#notifications-bell summary").first.click()
    page.wait_for_load_state("networkidle")
    # Search as the operator types (htmx request with its indicator).
    page.goto(f"{live_server.url}/clientes/")
    page.get_by_label("Buscar por").press_sequentially("abc", delay=30)
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert not violations, violations


def test_the_admin_works_under_the_policy(page, live_server, org_a):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = ClientFactory(organization=org_a)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    for path in (
        "/admin/",
        "/admin/clients/client/",
        f"/admin/clients/client/{client.pk}/change/",
        "/admin/clients/client/export/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert "/admin/login/" not in page.url
    # The export page's "select all" runs through its hashed inline handler.
    toggle = page.locator("input.select-toggle").first
    toggle.uncheck()
    assert not page.locator("input[type=checkbox][name$='razao_social']").first.is_checked()
    assert not violations, violations


def test_the_export_dialog_closes_when_the_empty_format_downloads(login, live_server, bob):
    # Was an hx-on attribute (eval); now vigia.js listens for the form's submit.
    page = login("bob")
    page.goto(f"{live_server.url}/importar-exportar/")
    page.locator("#entity-clients").get_by_role("link", name="Formato de exportação").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Formato vazio")
    with page.expect_download():
        dialog.get_by_role("button", name="Formato de exportação").click()
    expect(dialog).to_have_count(0)
