"""The client's page in the browser: the tabs, a location filling in the address (the seed's
"Carolina Vergara" example), a point placed on the map (by a search answered by a stand-in
geocoder, and by a click) saved and shown again, and the group dialog offering the group's
projects. Screenshots of each screen at 1366 and 390 pixels wide."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clients.models import Client, ClientGroup, Location
from tenancy.models import User
from tests.factories import ClientFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Where the screenshots go, to be looked at; the test's own temporary folder by default.
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        # caret="initial": hiding the caret injects a style the Content-Security-Policy refuses.
        page.screenshot(
            path=str(folder / f"client-{name}-{width}.png"), full_page=True, caret="initial"
        )
    page.set_viewport_size({"width": 1366, "height": 900})


class _Geocoder(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(
            [
                {
                    "display_name": "Avenida Paulista, 1578, São Paulo",
                    "lat": "-23.5614",
                    "lon": "-46.6559",
                }
            ]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def geocoder(settings):
    server = HTTPServer(("127.0.0.1", 0), _Geocoder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CLIENT_MAP_GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/search"
    # No tile server in the tests: the map still takes clicks and typed coordinates.
    settings.CLIENT_MAP_TILE_URL = ""
    yield
    server.shutdown()


@pytest.fixture
def carolina(org_a, alice):
    # The labels are checked in English, the source language, whatever the translations say.
    User.objects.filter(pk=alice.pk).update(language="en")
    Location.objects.create(
        organization=org_a,
        name="Shopping Center Norte",
        postal_code="02170-901",
        street="Travessa Casalbuono",
        number="120",
        district="Vila Guilherme",
        city="São Paulo",
        state="SP",
    )
    return ClientFactory(organization=org_a, razao_social="Carolina Vergara", nome_fantasia="")


def test_a_location_fills_in_the_address_and_a_point_is_saved(
    page, login, live_server, carolina, geocoder, tmp_path
):
    login("alice")
    page.goto(f"{live_server.url}/clientes/{carolina.code}/")
    expect(page.locator("h1")).to_contain_text("Carolina Vergara")
    # No location yet: the Address tab is empty.
    page.get_by_role("tab", name="Address").click()
    expect(page.locator("#id_street")).to_have_value("")
    page.get_by_role("tab", name="Details").click()
    page.select_option("#id_location", label="Shopping Center Norte")
    page.get_by_role("tab", name="Address").click()
    expect(page.locator("#id_street")).to_have_value("Travessa Casalbuono")
    expect(page.locator("#id_postal_code")).to_have_value("02170-901")
    _shot(page, tmp_path, "address")
    # The operator adjusts the pre-filled address before saving.
    page.fill("#id_complement", "Loja 214")
    page.get_by_role("tab", name="Details").click()

    # The map: a search answered by the geocoder places the point.
    expect(page.locator("[data-map-canvas].leaflet-container")).to_be_visible()
    page.fill("[data-map-query]", "paulista 1578")
    page.press("[data-map-query]", "Enter")
    page.get_by_role("button", name="Avenida Paulista, 1578, São Paulo").click()
    expect(page.locator("#id_latitude")).to_have_value("-23.561400")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    _shot(page, tmp_path, "details")
    page.get_by_role("button", name="Update Client").click()
    expect(page.locator(".toast-success, .toast")).to_contain_text("updated")

    carolina.refresh_from_db()
    assert carolina.location.name == "Shopping Center Norte"
    assert (carolina.street, carolina.complement) == ("Travessa Casalbuono", "Loja 214")
    assert str(carolina.latitude) == "-23.561400" and str(carolina.longitude) == "-46.655900"

    # Shown again on a fresh visit, marker included; a click elsewhere moves it.
    page.goto(f"{live_server.url}/clientes/{carolina.code}/")
    expect(page.locator("#id_latitude")).to_have_value("-23.561400")
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    page.locator("[data-map-canvas]").click(position={"x": 300, "y": 120})
    expect(page.locator("#id_latitude")).not_to_have_value("-23.561400")
    # Typed coordinates out of range are refused on the field, and nothing is saved.
    page.fill("#id_latitude", "123")
    page.get_by_role("button", name="Update Client").click()
    expect(page.locator("#id_latitude-error")).to_be_visible()
    carolina.refresh_from_db()
    assert str(carolina.latitude) == "-23.561400"


def test_a_group_asks_whether_its_projects_come_too(
    page, login, live_server, carolina, org_a, tmp_path
):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    group = ClientGroup.objects.create(organization=org_a, name="Shoppings")
    group.projects.add(varejo)
    login("alice")
    page.goto(f"{live_server.url}/clientes/{carolina.code}/")
    page.get_by_role("tab", name="Groups").click()
    page.fill("#relation-q", "shop")
    expect(page.locator("#relation-choices")).to_contain_text("Shoppings")
    page.locator("#relation-choices").get_by_role("button", name="Associate").click()
    dialog = page.locator("[data-group-dialog]")
    expect(dialog).to_contain_text("Varejo")
    _shot(page, tmp_path, "group-dialog")
    dialog.get_by_role("button", name="The group and its projects").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#tab-panel table")).to_contain_text("Shoppings")
    client = Client.objects.get(pk=carolina.pk)
    assert list(client.projects.values_list("name", flat=True)) == ["Varejo"]
    _shot(page, tmp_path, "groups")

    page.get_by_role("tab", name="Feedback").click()
    page.fill("#id_text", "Asked for a technical visit next week.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".feedback-list")).to_contain_text("technical visit")
    _shot(page, tmp_path, "feedback")

    page.goto(f"{live_server.url}/clientes/cadastros/locations/")
    expect(page.locator("h1")).to_be_visible()
    _shot(page, tmp_path, "lists")


def test_the_page_works_without_javascript(browser, live_server, carolina, alice, settings):
    from tests.factories import PASSWORD

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto(f"{live_server.url}/entrar/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/clientes/{carolina.code}/")
    page.fill("#id_latitude", "-22.9")
    page.fill("#id_longitude", "-47.06")
    page.get_by_role("button", name="Update Client").click()
    page.get_by_role("tab", name="Address").click()
    page.fill("#id_city", "Campinas")
    page.get_by_role("button", name="Update Client").click()
    expect(page.locator("#id_city")).to_have_value("Campinas")
    carolina.refresh_from_db()
    assert carolina.city == "Campinas" and str(carolina.latitude) == "-22.900000"
    context.close()
