"""Solicitações in the browser: a portal person sends a request with an attachment, an
operator opens it and moves it to Concluído, and the person's e-mail is in the outbox; on a
desk and on a phone, with axe over each page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from servicerequests.models import ServiceRequest
from terminals.models import AlertEmail
from tests.clientportal.conftest import PORTAL_PASSWORD, portal_account_create
from tests.e2e.axe import AxeAudit
from tests.factories import ClientFactory, ContactFactory
from tests.terminals.conftest import _redis_queue, smtp_server, start_worker  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("REQUESTS_SCREENSHOTS", "")


@pytest.fixture
def person(settings, tmp_path, org_a):
    settings.MEDIA_ROOT = tmp_path / "media"
    company = ClientFactory(organization=org_a, razao_social="Padaria Central Ltda")
    contact = ContactFactory(
        client=company, organization=org_a, name="Ana Souza", email="ana@padaria.example.com"
    )
    return portal_account_create(client=company, contact=contact)


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _portal_page(browser, width: int):
    context = browser.new_context(locale="pt-BR", viewport={"width": width, "height": 900})
    portal = context.new_page()
    portal.set_default_timeout(10_000)
    return context, portal


def _fits(page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, (page.url, overflow)


# On the desk the e-mails go through a real worker to an SMTP server (the terminals' fixtures).
@pytest.mark.parametrize(("width", "deliver"), [(1366, True), (390, False)])
def test_a_request_from_the_portal_to_concluido(
    browser, page, login, live_server, person, bob, tmp_path, request, width, deliver
):
    if deliver:
        _controller, mailbox = request.getfixturevalue("smtp_server")
        mailbox.clear()
        request.getfixturevalue("start_worker")()
    context, portal = _portal_page(browser, width)
    audit = AxeAudit(portal)
    base = live_server.url
    portal.goto(f"{base}/portal/org-a/")
    portal.fill("input[name=username]", "ana@padaria.example.com")
    portal.fill("input[name=password]", PORTAL_PASSWORD)
    portal.click("button[type=submit]")
    portal.goto(f"{base}/portal/org-a/solicitacoes/")
    audit.check("portal list (empty)")
    portal.click("main a[href$='/solicitacoes/nova/']")
    portal.fill("input[name=subject]", "Trocar a bobina da impressora")
    portal.fill("textarea[name=description]", "A impressora do caixa 2 parou.")
    attachment = tmp_path / "foto do caixa.pdf"
    attachment.write_bytes(b"%PDF-1.4\n" + b"0" * 2048)
    portal.set_input_files("input[name=files]", str(attachment))
    audit.check("portal new request")
    _shot(portal, f"portal-new-{width}")
    _fits(portal)
    portal.click("#request-form button[type=submit]")
    expect(portal.locator("#request-attachments")).to_contain_text("foto do caixa.pdf")
    expect(portal.locator("main [data-status=new]").first).to_be_visible()
    audit.check("portal request")
    _shot(portal, f"portal-detail-{width}")
    _fits(portal)
    sent = ServiceRequest.objects.get()
    assert sent.attachments.get().size == 2048 + 9

    page.set_viewport_size({"width": width, "height": 900})
    office = AxeAudit(page)
    login("bob")
    page.goto(f"{base}/solicitacoes/")
    row = page.locator(f"#request-{sent.code}")
    expect(row).to_contain_text("Trocar a bobina da impressora")
    expect(row).to_contain_text("Padaria Central Ltda")
    office.check("back office list")
    _shot(page, f"office-list-{width}")
    _fits(page)
    row.locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Trocar a bobina da impressora")
    with page.expect_download() as download:
        page.click("#request-attachments a")
    assert download.value.suggested_filename == "foto do caixa.pdf"
    office.check("back office request")
    _shot(page, f"office-detail-{width}")
    _fits(page)
    for status in ("received", "processing", "done"):
        page.click(f"button[data-status-to={status}]")
        expect(page.locator(f"main .details [data-status={status}]")).to_be_visible()
    expect(page.locator("#request-timeline [data-kind=status]")).to_have_count(3)
    _shot(page, f"office-done-{width}")

    emails = AlertEmail.objects.filter(recipient="ana@padaria.example.com").order_by("id")
    assert emails.count() == 3
    assert "Concluído" in emails.last().body
    assert f"/portal/org-a/solicitacoes/{sent.code}/" in emails.last().body
    if deliver:
        messages = mailbox.wait_for(3, timeout=60)
        assert {message["To"] for message in messages} == {"ana@padaria.example.com"}
        assert any("Concluído" in message.get_content() for message in messages)

    portal.reload()
    expect(portal.locator("main .details [data-status=done]")).to_be_visible()
    expect(portal.locator("#request-timeline")).to_contain_text("Concluído")
    office.assert_clean()
    audit.assert_clean()
    context.close()


def test_the_operator_refuses_a_request_with_a_reason(page, login, live_server, person, bob):
    from tests.servicerequests.conftest import submit_for

    sent = submit_for(person, subject="Pedido fora do contrato")
    login("bob")
    page.goto(f"{live_server.url}/solicitacoes/{sent.code}/")
    page.click("#request-actions a[href$='/recusar/']")
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("textarea[name=reason]")).to_be_focused()
    dialog.locator("button.btn-danger").click()
    expect(dialog.locator(".error")).to_be_visible()
    dialog.locator("textarea[name=reason]").fill("Este serviço não faz parte do contrato.")
    _shot(page, "office-refuse-1366")
    dialog.locator("button.btn-danger").click()
    expect(page.locator("main .details [data-status=refused]")).to_be_visible()
    expect(page.locator("main .details")).to_contain_text("não faz parte do contrato")
    email = AlertEmail.objects.get()
    assert "não faz parte do contrato" in email.body
