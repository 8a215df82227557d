"""The monitoring console in headless Chromium: the dashboard's availability, fleet chart and
outages, a terminal's timeline, acknowledging its disconnection and putting it in
maintenance, and the terminal list's maintenance filter; screenshots at 1366 and 390 pixels
wide."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tenancy.models import User
from terminals.models import Episode, Terminal
from tests.factories import ClientFactory, TerminalFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Where the screenshots go, to be looked at; the test's own temporary folder by default.
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"console-{name}-{width}.png"), full_page=True)
        # Nothing makes the page scroll sideways, at either width.
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def fleet(org_a, bob):
    """Ten terminals of two clients over a month: short drops now and then, two still down."""
    User.objects.filter(pk=bob.pk).update(language="en")
    now = timezone.now()
    clients = [
        ClientFactory(organization=org_a, razao_social="Padaria Pão Quente Ltda"),
        ClientFactory(organization=org_a, razao_social="Mercado Bom Preço Ltda"),
    ]
    terminals = []
    for index in range(10):
        terminal = TerminalFactory(
            organization=org_a,
            identifier=f"TRM-{index:03d}",
            name=f"Tela {index}",
            client=clients[index % 2],
        )
        terminals.append(terminal)
        for day in range(index % 4, 30, 3 + index % 5):
            start = now - timedelta(days=day, hours=index)
            Episode.objects.create(
                organization=org_a,
                terminal=terminal,
                client=terminal.client,
                started_at=start,
                ended_at=start + timedelta(minutes=20 + 15 * index),
            )
    for terminal, hours in ((terminals[3], 30), (terminals[7], 2)):
        since = now - timedelta(hours=hours)
        Terminal.objects.filter(pk=terminal.pk).update(
            status=Terminal.Status.DISCONNECTED,
            disconnected_since=since,
            last_heartbeat_at=since - timedelta(minutes=15),
        )
        Episode.objects.create(
            organization=org_a, terminal=terminal, client=terminal.client, started_at=since
        )
    return terminals


def test_the_console_shows_and_acts_on_an_outage(login, live_server, fleet, tmp_path):
    page = login("bob")
    page.goto(f"{live_server.url}/")
    expect(page.locator(".availability li")).to_have_count(3)
    outages = page.locator("table:below(h2:has-text('Longest open outages')) tbody tr")
    expect(outages.first).to_contain_text("Tela 3")
    expect(page.locator(".fleet-chart rect.bar-down")).to_have_count(24)
    _shot(page, tmp_path, "dashboard")
    page.click(".window-switch >> text=30 days")
    expect(page.locator(".fleet-chart rect.bar-down")).to_have_count(30)

    page.click("a:has-text('Tela 3')")
    expect(page.locator("h1")).to_contain_text("Tela 3")
    expect(page.locator("svg.timeline rect.timeline-down").first).to_be_visible()
    page.click("summary:has-text('Acknowledge')")
    page.fill("textarea[name=note]", "Técnico a caminho da loja.")
    page.click(".ack-form button:has-text('Acknowledge')")
    expect(page.locator(".ack-note")).to_have_text("Técnico a caminho da loja.")

    page.fill("input[name=reason]", "Troca do player")
    page.click("button:has-text('Schedule maintenance')")
    expect(page.locator(".maintenance-list")).to_contain_text("Troca do player")
    expect(page.locator("h1 .badge-info")).to_have_text("in maintenance")
    _shot(page, tmp_path, "terminal")

    page.goto(f"{live_server.url}/terminais/?maintenance=on")
    expect(page.locator("#terminal-results tbody tr")).to_have_count(1)
    expect(page.locator("#terminal-results")).to_contain_text("in maintenance")
    page.goto(f"{live_server.url}/terminais/?sort=outage")
    expect(page.locator("#terminal-results tbody tr").first).to_contain_text("TRM-003")
    _shot(page, tmp_path, "list")

    client = fleet[0].client
    page.goto(f"{live_server.url}/terminais/cliente/{client.code}/")
    expect(page.locator("#client-availability .availability li")).to_have_count(3)
    _shot(page, tmp_path, "client")
