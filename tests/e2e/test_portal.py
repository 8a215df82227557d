"""The client portal in the browser: login → terms acceptance → Início, on a desk and on a
phone, with axe over each page."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from portal import accounts
from terminals.models import AlertEmail, Episode, Terminal
from tests.clientportal.conftest import PORTAL_PASSWORD, portal_account_create
from tests.e2e.axe import AxeAudit
from tests.factories import (
    CatalogDocumentFactory,
    CatalogFactory,
    ClientFactory,
    ContactFactory,
    OrganizationFactory,
    TerminalFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PORTAL_SCREENSHOTS", "")
PAGES = ["inicio/", "alertas/", "catalogos/", "meus-dados/"]


@pytest.fixture
def portal_world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    organization = OrganizationFactory(name="Organização A", slug="org-a")
    company = ClientFactory(organization=organization, razao_social="Padaria Central Ltda")
    contact = ContactFactory(
        client=company, organization=organization, name="Ana Souza", email="ana@padaria.example.com"
    )
    account = portal_account_create(client=company, contact=contact)
    accounts.terms_upload(
        organization=organization,
        upload=SimpleUploadedFile("termos.pdf", b"%PDF-1.4 termos"),
    )
    terminal = TerminalFactory(
        organization=organization,
        client=company,
        identifier="PADARIA-TELA-01",
        name="Tela do balcão com um nome bem comprido para testar a quebra",
        status=Terminal.Status.DISCONNECTED,
        disconnected_since=timezone.now() - timedelta(hours=3),
    )
    TerminalFactory(organization=organization, client=company, identifier="PADARIA-TELA-02")
    episode = Episode.objects.create(
        organization=organization,
        terminal=terminal,
        client=company,
        started_at=timezone.now() - timedelta(hours=3),
    )
    AlertEmail.objects.create(
        organization=organization,
        episode=episode,
        kind=AlertEmail.Kind.DISCONNECTED,
        recipient="ana@padaria.example.com",
        status=AlertEmail.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    catalog = CatalogFactory(organization=organization, name="Manuais", clients=[company])
    CatalogDocumentFactory(catalog=catalog, title="Manual do player")
    return account


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/portal/org-a/")
    expect(page.locator(".auth-brand")).to_have_text("Organização A")
    page.fill("input[name=username]", "ana@padaria.example.com")
    page.fill("input[name=password]", PORTAL_PASSWORD)
    page.click("button[type=submit]")


def test_login_terms_and_terminals(page, live_server, portal_world):
    audit = AxeAudit(page)
    page.goto(f"{live_server.url}/portal/org-a/")
    audit.check("login")
    _shot(page, "login-1366")
    _log_in(page, live_server.url)
    # The terms come first, whatever was asked for.
    expect(page).to_have_url(f"{live_server.url}/portal/org-a/termos/?next=/portal/org-a/inicio/")
    audit.check("terms")
    _shot(page, "terms-1366")
    page.check("input[name=accept]")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/portal/org-a/inicio/")
    expect(page.locator("#portal-terminals")).to_contain_text("PADARIA-TELA-01")
    expect(page.locator("#portal-terminals")).to_contain_text("PADARIA-TELA-02")
    portal_world.refresh_from_db()
    assert portal_world.terms_accepted_at is not None
    page.click("#portal-terminals a[href^='#procedure-']")
    expect(page.locator(".portal-procedure .procedure").first).to_be_visible()
    audit.check("home")
    _shot(page, "home-1366")
    for path in PAGES[1:]:
        page.goto(f"{live_server.url}/portal/org-a/{path}")
        audit.check(path)
        _shot(page, f"{path.strip('/')}-1366")
    page.locator("details.menu > summary").click()
    audit.check("account menu")
    audit.assert_clean()


def test_the_portal_fits_a_phone(page, live_server, portal_world):
    portal_world.terms_accepted_at = timezone.now()
    portal_world.save(update_fields=["terms_accepted_at"])
    page.set_viewport_size({"width": 390, "height": 844})
    audit = AxeAudit(page)
    page.goto(f"{live_server.url}/portal/org-a/")
    _shot(page, "login-390")
    _log_in(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/portal/org-a/inicio/")
    for path in PAGES:
        page.goto(f"{live_server.url}/portal/org-a/{path}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        audit.check(f"phone {path}")
        _shot(page, f"{path.strip('/')}-390")
    audit.assert_clean()
