"""Phone (390×844) and tablet (768×1024): every main screen fits the width, with no sideways
scrolling of the page, and the notifications panel opens on screen."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogs.models import Catalog
from clients.models import Client
from specialists.models import Specialist
from tenancy.models import Organization
from terminals.models import Terminal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "vigia-demo-2026"
SIZES = {"phone": (390, 844), "tablet": (768, 1024)}
SCREENSHOTS = os.environ.get("VIGIA_SCREENSHOTS")


def _screens(org) -> dict[str, str]:
    client = Client.objects.for_org(org).order_by("id").first()
    terminal = Terminal.objects.for_org(org).order_by("id").first()
    specialist = Specialist.objects.for_org(org).order_by("id").first()
    catalog = Catalog.objects.for_org(org).order_by("id").first()
    return {
        "dashboard": reverse("dashboard"),
        "clients": reverse("clients:list"),
        "client-new": reverse("clients:create"),
        "client": reverse("clients:edit", kwargs={"code": client.code}),
        "client-contacts": reverse("clients:edit", kwargs={"code": client.code}) + "?tab=contacts",
        "client-terminals": reverse("clients:edit", kwargs={"code": client.code})
        + "?tab=terminals",
        "contacts": reverse("portal:contacts"),
        "terminals": reverse("terminals:list"),
        "terminal": reverse("terminals:detail", kwargs={"code": terminal.code}),
        "device-types": reverse("terminals:device_types"),
        "specialists": reverse("specialists:list"),
        "specialist": reverse("specialists:detail", kwargs={"code": specialist.code}),
        "importexport": reverse("importexport:index"),
        "notifications": reverse("notifications:panel"),
        "catalogs": reverse("catalogs:list"),
        "catalog": reverse("catalogs:detail", kwargs={"code": catalog.code}),
        "settings": reverse("organization_settings"),
        "history": reverse("organization_history"),
        "password": reverse("password_change"),
    }


def _overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_main_screens_fit_phone_and_tablet_widths(browser, live_server, settings, size):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", clients=12, stdout=quiet)
    org = Organization.objects.get(memberships__user__username="admin")
    width, height = SIZES[size]
    context = browser.new_context(locale="pt-BR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + reverse("login"))
        wide = {}
        if _overflow(page) > 0:
            wide["login"] = _overflow(page)
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        for name, url in _screens(org).items():
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            if _overflow(page) > 0:
                wide[name] = _overflow(page)
            if SCREENSHOTS:
                page.screenshot(path=f"{SCREENSHOTS}/{size}-{name}.png", full_page=True)

        # The bell's panel opens inside the viewport.
        page.goto(live_server.url + reverse("dashboard"))
        page.locator("#notifications-bell summary").click()
        panel = page.locator("#notifications-bell details[open] > :not(summary)").first
        box = panel.bounding_box()
        if not (box and box["x"] >= 0 and box["x"] + box["width"] <= width):
            wide["bell panel off screen"] = box
        if _overflow(page) > 0:
            wide["bell panel"] = _overflow(page)
        assert not wide, f"pages wider than the {width}px viewport (extra px): {wide}"
    finally:
        context.close()
