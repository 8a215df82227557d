"""The Contatos screen and the activation flow in a real browser: the invitation goes out
through the alert outbox and a real Celery worker to a real SMTP server (aiosmtpd), and its
link sets the person's password. Locators name ids and addresses, not labels, so the tests
read the same in every language."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from portal.models import PortalAccount
from tests.factories import ClientFactory, ContactFactory
from tests.terminals.conftest import _redis_queue, smtp_server, start_worker  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-Battery-9"
# Set to a folder to keep the screenshots of these screens (both widths).
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if not SHOTS:
        return
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _row(page, contact):
    return page.locator(f"#contact-{contact.code}")


def test_multi_select_delete_and_actions_by_status(page, login, live_server, org_a, alice):
    client = ClientFactory(organization=org_a, razao_social="Comércio São João Ltda")
    people = [
        ContactFactory(client=client, name=f"Pessoa {letter}", email=f"{letter}@example.com")
        for letter in "abcde"
    ]
    active = people[4]
    PortalAccount.objects.create(
        organization=org_a,
        kind="contact",
        contact=active,
        client=client,
        status="active",
        password="x",
    )
    login("alice")
    page.goto(f"{live_server.url}/contatos/")
    rows = page.locator("#contacts-results tbody tr")
    expect(rows).to_have_count(5)
    _shot(page, "contacts-list")

    # A click, then a shift-click: the range; a ctrl-click on a row takes one out again.
    _row(page, people[0]).locator("input[name=codes]").click()
    _row(page, people[2]).locator("input[name=codes]").click(modifiers=["Shift"])
    expect(page.locator("tbody input[name=codes]:checked")).to_have_count(3)
    _row(page, people[1]).locator("td").nth(2).click(modifiers=["Control"])
    expect(page.locator("tbody input[name=codes]:checked")).to_have_count(2)
    _row(page, people[1]).locator("td").nth(2).click(modifiers=["Control"])
    page.locator("#contacts-form button[type=submit]").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("3")
    _shot(page, "contacts-delete-confirm")
    dialog.locator("button.btn-danger").click()
    expect(rows).to_have_count(2)
    assert set(Contact.objects.values_list("name", flat=True)) == {"Pessoa d", "Pessoa e"}

    # The actions follow the status: an active account can be deactivated, not invited.
    menu = _row(page, active).locator("details")
    menu.locator("summary").click()
    expect(menu.locator(f"form[action$='/{active.code}/convite/']")).to_have_count(0)
    menu.locator(f"form[action$='/{active.code}/desativar/'] button").click()
    expect(_row(page, active).locator(".badge-danger")).to_be_visible()
    assert PortalAccount.objects.get(contact=active).status == "deactivated"
    menu = _row(page, active).locator("details")
    menu.locator("summary").click()
    expect(menu.locator(f"form[action$='/{active.code}/desativar/']")).to_have_count(0)
    expect(menu.locator(f"form[action$='/{active.code}/ativar/']")).to_have_count(1)

    # The import dialog and the settings' portal section.
    page.locator("a[href$='/contatos/importar/']").first.click()
    expect(page.locator("dialog[open] input[type=file]")).to_be_visible()
    _shot(page, "contacts-import")
    page.locator("dialog[open] [data-dialog-close]").click()
    page.goto(f"{live_server.url}/configuracoes/#portal")
    expect(page.locator("#portal")).to_be_visible()
    _shot(page, "settings-portal")

    # Select all matching (more than a page).
    for n in range(30):
        ContactFactory(client=client, name=f"Lote {n:02d}", email=f"lote{n}@example.com")
    page.goto(f"{live_server.url}/contatos/?q=lote")
    page.locator("[data-select-page]").check()
    page.locator("[data-select-matching]").check()
    page.locator("#contacts-form button[type=submit]").click()
    expect(page.locator("dialog[open]")).to_contain_text("30")
    page.locator("dialog[open] button.btn-danger").click()
    expect(page.locator("#contacts-results .empty")).to_be_visible()
    assert not Contact.objects.filter(name__startswith="Lote").exists()


def test_the_activation_email_arrives_and_its_link_activates_the_account(
    page, login, live_server, org_a, alice, request
):
    # The terminals' SMTP server and worker fixtures, imported above.
    _controller, mailbox = request.getfixturevalue("smtp_server")
    mailbox.clear()
    request.getfixturevalue("start_worker")()
    contact = ContactFactory(
        client=ClientFactory(organization=org_a), name="Maria Souza", email="maria@example.com"
    )
    login("alice")
    page.goto(f"{live_server.url}/contatos/")
    menu = _row(page, contact).locator("details")
    menu.locator("summary").click()
    menu.locator(f"form[action$='/{contact.code}/convite/'] button").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("#invitation-link")).to_have_value(re.compile("/portal/org-a/ativar/"))
    dialog.locator("textarea[name=note]").fill("Bem-vinda ao portal!")
    _shot(page, "contacts-invitation")
    dialog.locator("button.btn-primary").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(_row(page, contact).locator(".invite-marker")).to_be_visible()

    (message,) = mailbox.wait_for(1, timeout=60)
    assert message["To"] == "maria@example.com"
    body = message.get_content()
    assert "Bem-vinda ao portal!" in body
    link = re.search(r"https?://\S+/ativar/\S+/", body).group(0)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("#password-policy")).to_be_visible()
    page.fill("input[name=password]", "abc")
    expect(page.locator("#password-policy li:not(.met)").first).to_be_visible()
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", PASSWORD)
    _shot(page, "portal-activate")
    page.locator("button[type=submit]").click()
    expect(page.locator(".portal-title")).to_be_visible()
    _shot(page, "portal-activated")
    account = PortalAccount.objects.get(contact=contact)
    assert account.status == "active" and account.check_password(PASSWORD)
    page.goto(link)
    expect(page.locator(".alert-warn")).to_be_visible()  # the link works once
