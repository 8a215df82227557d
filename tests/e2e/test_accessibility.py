"""axe-core over every screen of the operator's application and the portal: each page as
a full visit, each tab, each dialog, menu and panel opened. Any critical or serious WCAG 2.1
A/AA violation fails."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from catalogs.models import Catalog
from clients.models import Client
from contacts.models import Contact
from portal.accounts import account_invitation_prepare
from specialists.models import Specialist
from tenancy.models import Organization
from terminals.models import DeviceType, Terminal
from tests.e2e.axe import AxeAudit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "vigia-demo-2026"


@pytest.fixture
def demo(db):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", clients=12, stdout=quiet)
    return Organization.objects.get(memberships__user__username="admin")


def _invitation(org):
    """An activation link for the first contact the portal can invite."""
    for contact in Contact.objects.for_org(org).exclude(email="").order_by("id"):
        try:
            return account_invitation_prepare(
                organization=org, contact=contact, actor=None, url_for=lambda token: token
            )
        except ValidationError:
            continue
    raise AssertionError("the demo has no contact to invite")


def _open_menus(page, audit: AxeAudit, state: str) -> None:
    """Every <details> menu on the page, one at a time, checked open."""
    summaries = page.locator("details > summary:visible")
    for index in range(summaries.count()):
        summary = summaries.nth(index)
        summary.click()
        audit.check(f"{state} + menu {index}")
        summary.evaluate("s => { s.parentElement.open = false; }")


def _visit(page, audit: AxeAudit, url: str, state: str | None = None) -> None:
    response = page.goto(url)
    if not response.ok:
        audit.found[state or url] = [
            {"rule": "http", "impact": "critical", "help": f"HTTP {response.status}", "nodes": []}
        ]
        return
    page.wait_for_load_state("networkidle")
    audit.check(state or url)


def _dialog(page, audit: AxeAudit, opener, state: str) -> None:
    opener.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    audit.check(state)
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)


def _tabs(page, audit: AxeAudit, base: str, url: str, state: str) -> None:
    _visit(page, audit, base + url, state)
    hrefs = page.locator("[role=tablist] a[role=tab][href]").evaluate_all(
        "tabs => tabs.map(t => t.getAttribute('href'))"
    )
    for href in hrefs:
        _visit(page, audit, base + href, f"{state} tab {href}")


def test_no_serious_axe_violations_on_any_screen(page, login, live_server, demo):
    audit = AxeAudit(page)
    base = live_server.url
    org = demo

    # Before logging in: the login and password-reset pages, and the portal's.
    invitation = _invitation(org)
    for url in (
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("clientportal:login", kwargs={"org_slug": org.slug}),
        reverse("portal:activate", kwargs={"org_slug": org.slug, "token": invitation.token}),
    ):
        _visit(page, audit, base + url)
    page.goto(base + reverse("login"))
    page.fill("input[name=password]", "wrong")
    page.fill("input[name=username]", "admin")
    page.click("button[type=submit]")
    audit.check("login with an error")

    login("admin", DEMO_PASSWORD)
    client = Client.objects.for_org(org).order_by("id").first()
    terminal = Terminal.objects.for_org(org).order_by("id").first()
    specialist = Specialist.objects.for_org(org).order_by("id").first()
    catalog = Catalog.objects.for_org(org).order_by("id").first()
    device_type = DeviceType.objects.for_org(org).order_by("id").first()

    # The dashboard, with the bell's panel, the user menu and the Novo menu open.
    _visit(page, audit, base + "/")
    page.locator("#notifications-bell summary").click()
    audit.check("dashboard + notifications panel")
    page.keyboard.press("Escape")
    _open_menus(page, audit, "dashboard")

    for url in (
        reverse("clients:list"),
        reverse("clients:create"),
        reverse("clients:delete", kwargs={"code": client.code}),
        reverse("clients:catalog", kwargs={"kind": "groups"}),
        reverse("portal:contacts"),
        reverse("terminals:list"),
        reverse("terminals:create"),
        reverse("terminals:detail", kwargs={"code": terminal.code}),
        reverse("terminals:edit", kwargs={"code": terminal.code}),
        reverse("terminals:delete", kwargs={"code": terminal.code}),
        reverse("terminals:device_types"),
        reverse("terminals:device_type_create"),
        reverse("terminals:device_type_edit", kwargs={"code": device_type.code}),
        reverse("specialists:list"),
        reverse("specialists:create"),
        reverse("specialists:fields"),
        reverse("specialists:catalog", kwargs={"kind": "specialist-groups"}),
        reverse("notifications:panel"),
        reverse("importexport:index"),
        reverse("catalogs:list"),
        reverse("catalogs:detail", kwargs={"code": catalog.code}),
        reverse("organization_settings"),
        reverse("organization_history"),
        reverse("history_client", kwargs={"code": client.code}),
        reverse("password_change"),
    ):
        _visit(page, audit, base + url)
        _open_menus(page, audit, url)

    # Every tab of the client's and the specialist's pages, each as a full visit.
    _tabs(page, audit, base, reverse("clients:edit", kwargs={"code": client.code}), "client")
    _tabs(
        page,
        audit,
        base,
        reverse("specialists:detail", kwargs={"code": specialist.code}),
        "specialist",
    )

    # Dialogs: the export and import formats, from the Novo menu and from their screen.
    _visit(page, audit, base + reverse("clients:list"))
    page.locator("details.menu-new > summary").click()
    _dialog(
        page,
        audit,
        page.locator(".menu-new").get_by_role("link", name="Formato de exportação"),
        "export dialog from Novo",
    )
    _visit(page, audit, base + reverse("importexport:index"))
    entity = page.locator("#entity-clients")
    _dialog(page, audit, entity.get_by_role("link", name="Formato de exportação"), "export dialog")
    _dialog(page, audit, entity.get_by_role("link", name="Importar formato"), "import dialog")

    # Association mode on the clients list.
    _visit(page, audit, base + reverse("clients:list"))
    page.get_by_role("switch").first.click()
    page.wait_for_load_state("networkidle")
    audit.check("clients association mode")

    assert len(audit.checked) > 40
    audit.assert_clean()
