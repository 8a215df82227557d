"""A specialist group's projects in the browser: the Groups tab asks whether the specialist joins
the group's projects too, and the catalog screen edits them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from specialists.models import Specialist
from tests.factories import ProjectFactory, SpecialistFactory, SpecialistGroupFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_specialist_group_asks_whether_its_projects_come_too(
    page, login, live_server, org_a, alice
):
    specialist = SpecialistFactory(organization=org_a, name="Ana Souza", email="ana@example.com")
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    group = SpecialistGroupFactory(organization=org_a, name="Shoppings")
    group.projects.add(varejo)
    login("alice")
    page.goto(f"{live_server.url}/especialistas/{specialist.code}/?tab=groups")
    page.fill("#association-q", "shop")
    expect(page.locator("#association-choices")).to_contain_text("Shoppings")
    page.locator("#association-choices").get_by_role("button").click()
    dialog = page.locator("[data-group-dialog]")
    expect(dialog).to_contain_text("Varejo")
    dialog.locator("button[value=yes]").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#tab-panel table")).to_contain_text("Shoppings")
    expect(page.locator("#toasts")).to_contain_text("Varejo")
    assert list(
        Specialist.objects.get(pk=specialist.pk).projects.values_list("name", flat=True)
    ) == ["Varejo"]
