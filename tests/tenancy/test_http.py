"""The request helpers every view shares: where a plain post goes back to, and what a search
box may hand a selector."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ProjectFactory, SpecialistFactory


@pytest.mark.parametrize("target", ["dashboard", "clients", "javascript:alert(1)"])
def test_it_goes_to_the_dashboard_for_a_target_that_is_not_a_path(bob_client, target):
    response = bob_client.post(reverse("language_switch"), {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_it_ignores_a_referer_that_is_a_bare_word(bob_client, org_a):
    project = ProjectFactory(organization=org_a)
    response = bob_client.post(
        reverse("project_switch"), {"project": str(project.code)}, HTTP_REFERER="clients"
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_it_goes_back_to_a_page_of_ours(bob_client):
    response = bob_client.post(
        reverse("language_switch"), {"language": "en", "next": "/clientes/?q=loja"}
    )
    assert response["Location"] == "/clientes/?q=loja"


@pytest.mark.parametrize("name", ["specialists:list", "specialists:catalog"])
def test_a_nul_byte_in_the_search_box_is_not_an_error(bob_client, name):
    url = reverse(name, kwargs={"kind": "roles"}) if name.endswith("catalog") else reverse(name)
    response = bob_client.get(url, {"q": "ana\x00maria"})
    assert response.status_code == 200


def test_a_nul_byte_in_the_association_choices_is_not_an_error(bob_client, org_a):
    specialist = SpecialistFactory(organization=org_a)
    url = reverse(
        "specialists:association_choices", kwargs={"code": specialist.code, "kind": "groups"}
    )
    response = bob_client.get(url, {"q": "\x00"})
    assert response.status_code == 200
