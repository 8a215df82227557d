"""Browser tests of association mode on the Clientes and Especialistas lists, their "Novo"
menu, and the projects in Configurações. Set E2E_SCREENSHOTS to a folder to keep
screenshots of each screen at 1366 and 390 pixels wide."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clients.models import Client
from specialists.models import Specialist
from tenancy.models import Project, User
from tests.factories import SearchableClientFactory, SpecialistFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("E2E_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _narrow(page, name: str, table: str) -> None:
    """At 390 wide the page does not scroll sideways, and every row keeps its checkbox and
    its actions in view."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    _shoot(page, f"{name}-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    for cell in (
        f"{table} tbody tr:first-child .select-cell",
        f"{table} tbody tr:first-child td.actions",
    ):
        box = page.locator(cell).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 391, (cell, box)
    page.set_viewport_size(size)


@pytest.fixture
def english(alice, bob):
    # The screens in the source language, whatever the catalogs hold yet.
    User.objects.filter(pk__in=[alice.pk, bob.pk]).update(language="en")


@pytest.fixture
def clients_world(org_a, project_a):
    for n in range(2):
        SearchableClientFactory(
            organization=org_a, razao_social=f"Padaria Pão {n} Ltda"
        ).projects.add(project_a)
    for n in range(30):
        SearchableClientFactory(organization=org_a, razao_social=f"Farmácia Saúde {n:02d} ME")
    SearchableClientFactory(organization=org_a, razao_social="Ótica Três Irmãos ME")
    return project_a


def _in_project(project) -> int:
    return Client.objects.for_org(project.organization).in_project(project).count()


def test_clients_association_mode(login, live_server, bob, english, clients_world):
    project = clients_world
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/")
    rows = page.locator("#client-results tbody tr")
    expect(rows).to_have_count(2)
    _shoot(page, "clients-1366")

    # Association mode: the organization's other clients, searched by name.
    switch = page.get_by_role("switch", name="Association mode")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(page).to_have_url(re.compile(r"mode=associate"))
    expect(page.get_by_role("switch", name="Association mode")).to_have_attribute(
        "aria-checked", "true"
    )
    expect(rows).to_have_count(25)
    page.get_by_label("Search by").press_sequentially("farmacia", delay=20)
    expect(page.locator(".client-count")).to_contain_text("30 clients")
    expect(page).to_have_url(re.compile(r"mode=associate.*q=farmacia|q=farmacia.*mode=associate"))

    # Shift-click ticks a range, ctrl-click toggles one row.
    boxes = page.locator("#client-results tbody input[name=codes]")
    boxes.nth(0).check()
    boxes.nth(3).click(modifiers=["Shift"])
    expect(page.locator("[data-selection-count]")).to_have_text("4 rows selected")
    rows.nth(2).locator("td").nth(2).click(modifiers=["Control"])
    expect(boxes.nth(2)).not_to_be_checked()
    expect(page.locator("[data-selection-count]")).to_have_text("3 rows selected")

    # The header ticks the page; "select all" extends it to the whole search.
    page.get_by_label("Select every row of this page").check()
    bar = page.locator("[data-select-matching-bar]")
    expect(bar).to_be_visible()
    bar.get_by_text("Select all 30 rows matching this search").click()
    expect(page.locator("[data-selection-count]")).to_have_text(
        "Every row matching the search selected"
    )
    _shoot(page, "clients-association-1366")
    _narrow(page, "clients-association", "#client-results table")

    associate = page.locator("#association-form").get_by_role("button", name="Associate")
    associate.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Associate 30 clients with the project “Varejo”?")
    _shoot(page, "clients-associate-dialog-1366")
    # Escape closes it, changing nothing, and focus goes back to the button.
    page.keyboard.press("Escape")
    expect(page.locator("dialog")).to_have_count(0)
    expect(associate).to_be_focused()
    assert _in_project(project) == 2

    associate.click()
    page.locator("dialog[open]").get_by_role("button", name="Associate").click()
    expect(page.locator(".toast").last).to_contain_text(
        "30 clients associated with the project “Varejo”."
    )
    expect(page.locator("#client-results .empty")).to_be_visible()
    assert _in_project(project) == 32

    # Back to the project's clients: disassociate one.
    page.get_by_role("switch", name="Association mode").click()
    expect(page).not_to_have_url(re.compile(r"mode=associate"))
    page.get_by_label("Search by").fill("")
    expect(page.locator(".client-count")).to_contain_text("32 clients")
    page.get_by_label("Search by").fill("padaria")
    expect(page.locator(".client-count")).to_contain_text("2 clients")
    rows.filter(has_text="Padaria Pão 0").locator("input[name=codes]").check()
    page.locator("#association-form").get_by_role("button", name="Disassociate").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Disassociate 1 client from the project “Varejo”?")
    dialog.get_by_role("button", name="Disassociate").click()
    expect(page.locator(".toast").last).to_contain_text(
        "1 client disassociated from the project “Varejo”."
    )
    expect(page.locator(".client-count")).to_contain_text("1 client ")
    _shoot(page, "clients-project-1366")
    _narrow(page, "clients-project", "#client-results table")

    # And in bulk: every client the search matches, past the first page.
    page.get_by_label("Search by").fill("farmacia")
    expect(page.locator(".client-count")).to_contain_text("30 clients")
    page.get_by_label("Select every row of this page").check()
    page.locator("[data-select-matching-bar]").get_by_text(
        "Select all 30 rows matching this search"
    ).click()
    page.locator("#association-form").get_by_role("button", name="Disassociate").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Disassociate 30 clients")
    dialog.get_by_role("button", name="Disassociate").click()
    expect(page.locator(".toast").last).to_contain_text("30 clients disassociated")
    assert _in_project(project) == 1
    assert Client.objects.for_org(project.organization).count() == 33


def test_specialists_association_mode(login, live_server, bob, english, org_a, project_a):
    SpecialistFactory(organization=org_a, name="Ana Souza").projects.add(project_a)
    for name in ("Bruno Lima", "Bruna Costa", "Carla Dias"):
        SpecialistFactory(organization=org_a, name=name)
    page = login("bob")
    page.goto(f"{live_server.url}/especialistas/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_role("switch", name="Association mode").click()
    expect(rows).to_have_count(3)
    page.get_by_label("Search by").fill("brun")
    expect(rows).to_have_count(2)
    page.get_by_label("Select every row of this page").check()
    expect(page.locator("[data-selection-count]")).to_have_text("2 rows selected")
    _shoot(page, "specialists-association-1366")
    _narrow(page, "specialists-association", "#results table")
    page.locator("#association-form").get_by_role("button", name="Associate").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Associate 2 specialists with the project “Varejo”?")
    dialog.get_by_role("button", name="Associate").click()
    expect(page.locator(".toast").last).to_contain_text("2 specialists associated")
    expect(page.locator("#results .empty")).to_be_visible()

    page.get_by_role("switch", name="Association mode").click()
    expect(rows).to_have_count(3)
    page.get_by_label("Select Bruno Lima").check()
    page.locator("#association-form").get_by_role("button", name="Disassociate").click()
    page.locator("dialog[open]").get_by_role("button", name="Disassociate").click()
    expect(page.locator(".toast").last).to_contain_text("1 specialist disassociated")
    expect(rows).to_have_count(2)
    names = set(
        Specialist.objects.for_org(org_a).in_project(project_a).values_list("name", flat=True)
    )
    assert names == {"Ana Souza", "Bruna Costa"}


def test_the_new_menu(login, live_server, bob, english, clients_world):
    page = login("bob")
    page.goto(f"{live_server.url}/clientes/")
    menu = page.locator(".page-header details[data-menu]")
    summary = menu.locator("summary")
    summary.click()
    expect(menu.get_by_role("link", name="Export format")).to_be_visible()
    _shoot(page, "clients-new-menu-1366")
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Export format")).to_be_hidden()
    expect(summary).to_be_focused()

    # The Import/Export screen's export dialog, for clients, with focus inside.
    summary.click()
    menu.get_by_role("link", name="Export format").click()
    modal = page.locator("#modal dialog[open]")
    expect(modal).to_contain_text("Clients")
    expect(page.locator("#modal input[type=radio]").first).to_be_focused()
    # The menu that opened it has closed behind it.
    expect(menu).not_to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(page.locator("#modal dialog")).to_have_count(0)
    expect(summary).to_be_focused()

    summary.click()
    menu.get_by_role("link", name="Import format").click()
    expect(page.locator("#modal dialog[open]")).to_contain_text("Import")
    page.keyboard.press("Escape")
    expect(page.locator("#modal dialog")).to_have_count(0)

    # The new record opens the detail view with its tabs, on both lists.
    summary.click()
    menu.get_by_role("link", name="New Client").click()
    expect(page).to_have_url(re.compile(r"/clientes/novo/$"))
    expect(page.get_by_role("tab", name="Details")).to_be_visible()
    page.goto(f"{live_server.url}/especialistas/")
    page.locator(".page-header summary").click()
    page.get_by_role("link", name="New specialist").click()
    expect(page).to_have_url(re.compile(r"/especialistas/novo/$"))


def test_admins_manage_projects(login, live_server, alice, english, org_a, project_a):
    page = login("alice")
    page.goto(f"{live_server.url}/configuracoes/")
    section = page.locator("#projects")
    section.get_by_label("New project").fill("Atacado")
    section.get_by_role("button", name="Create project").click()
    expect(page.locator(".toast").last).to_contain_text("Project “Atacado” created.")
    row = page.locator("#projects tbody tr", has_text="Atacado")
    expect(row).to_be_visible()
    expect(page.locator("#project-select option", has_text="Atacado")).to_have_count(1)

    # A taken name is refused on that row.
    row.get_by_text("Rename").click()
    row.get_by_label("New name for Atacado").fill("varejo")
    row.get_by_role("button", name="Save").click()
    row = page.locator("#projects tbody tr", has_text="Atacado")
    expect(row.locator(".error")).to_contain_text("already exists")
    row.get_by_label("New name for Atacado").fill("Atacado Sul")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_contain_text("renamed to “Atacado Sul”")
    _shoot(page, "settings-projects-1366")

    row = page.locator("#projects tbody tr", has_text="Atacado Sul")
    row.get_by_role("button", name="Archive").click()
    expect(page.locator(".toast").last).to_contain_text("archived")
    expect(page.locator("#project-select option", has_text="Atacado Sul")).to_have_count(0)
    row = page.locator("#projects tbody tr", has_text="Atacado Sul")
    expect(row).to_contain_text("Archived")
    assert Project.objects.get(name="Atacado Sul").archived
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shoot(page, "settings-projects-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    row.get_by_role("button", name="Restore").click()
    expect(page.locator("#project-select option", has_text="Atacado Sul")).to_have_count(1)
