"""Association mode on the Especialistas list: the same rule as the clients' list
(tenancy.association), with the specialists' own search (name or e-mail, and status)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from specialists.models import Specialist
from tenancy.models import User
from tests.factories import ProjectFactory, SpecialistFactory

LIST = reverse("specialists:list")
ASSOCIATE = reverse("specialists:associate")
DISASSOCIATE = reverse("specialists:disassociate")


@pytest.fixture(autouse=True)
def english(alice, bob, charlie):
    """The screens in English, the source language."""
    User.objects.filter(pk__in=[alice.pk, bob.pk, charlie.pk]).update(language="en")


@pytest.fixture
def world(org_a, org_b, project_a):
    inside = SpecialistFactory(organization=org_a, name="Ana Souza")
    inside.projects.add(project_a)
    outside = [
        SpecialistFactory(organization=org_a, name="Bruno Lima"),
        SpecialistFactory(organization=org_a, name="Bruna Costa", status="inactive"),
        SpecialistFactory(organization=org_a, name="Carla Dias"),
    ]
    foreign = SpecialistFactory(organization=org_b, name="Bruno Estrangeiro")
    return {"inside": inside, "outside": outside, "foreign": foreign, "project": project_a}


def _names(project) -> set[str]:
    return set(
        Specialist.objects.for_org(project.organization)
        .in_project(project)
        .values_list("name", flat=True)
    )


def test_the_list_shows_the_selected_projects_specialists(bob_client, world):
    body = bob_client.get(LIST).content.decode()
    assert "Ana Souza" in body and "Bruno Lima" not in body
    assert 'aria-checked="false"' in body and "Disassociate" in body


def test_association_mode_shows_the_others_and_searches_by_name(bob_client, world, htmx_headers):
    body = bob_client.get(LIST, {"mode": "associate"}).content.decode()
    assert "Bruno Lima" in body and "Carla Dias" in body
    assert "Ana Souza" not in body and "Estrangeiro" not in body
    found = bob_client.get(LIST, {"mode": "associate", "q": "brun"}, **htmx_headers)
    body = found.content.decode()
    assert "<html" not in body
    assert "Bruno Lima" in body and "Bruna Costa" in body and "Carla" not in body


def test_the_new_menu_offers_the_record_and_the_formats(bob_client, world):
    body = bob_client.get(LIST).content.decode()
    assert reverse("specialists:create") in body and "New specialist" in body
    assert f"{reverse('importexport:export_dialog')}?entity=specialists" in body
    assert f"{reverse('importexport:import_dialog')}?entity=specialists" in body


def test_ticked_specialists_are_associated_after_the_confirmation(bob_client, world):
    codes = [str(world["outside"][0].code)]
    confirm = bob_client.post(ASSOCIATE, {"codes": codes}).content.decode()
    assert "Associate 1 specialist with the project “Varejo”?" in confirm
    assert _names(world["project"]) == {"Ana Souza"}
    bob_client.post(ASSOCIATE, {"codes": codes, "confirmed": "1"})
    assert _names(world["project"]) == {"Ana Souza", "Bruno Lima"}


def test_every_match_follows_the_search_and_the_status(bob_client, world, htmx_headers):
    data = {"all": "1", "q": "brun", "status": "active"}
    confirm = bob_client.post(ASSOCIATE, data, **htmx_headers).content.decode()
    assert "<dialog" in confirm and "Associate 1 specialist" in confirm
    response = bob_client.post(ASSOCIATE, {**data, "confirmed": "1"}, **htmx_headers)
    assert "vigia:association-changed" in json.loads(response["HX-Trigger"])
    assert _names(world["project"]) == {"Ana Souza", "Bruno Lima"}


def test_disassociate_one(bob_client, world):
    response = bob_client.post(
        DISASSOCIATE, {"codes": [str(world["inside"].code)], "confirmed": "1"}
    )
    assert response.status_code == 302
    assert _names(world["project"]) == set()
    assert Specialist.objects.filter(pk=world["inside"].pk).exists()


def test_a_foreign_code_changes_nothing_and_is_reported(bob_client, world):
    codes = [str(world["outside"][0].code), str(world["foreign"].code)]
    response = bob_client.post(ASSOCIATE, {"codes": codes, "confirmed": "1"})
    assert response.status_code == 422
    assert "Nothing was changed" in response.content.decode()
    assert _names(world["project"]) == {"Ana Souza"}
    assert not world["foreign"].projects.exists()


def test_it_checks_ownership(charlie_client, world, org_b):
    ProjectFactory(organization=org_b, name="Projeto B")
    codes = [str(s.code) for s in world["outside"]]
    response = charlie_client.post(DISASSOCIATE, {"codes": codes, "confirmed": "1"})
    assert response.status_code == 422 and "Bruno" not in response.content.decode()
    charlie_client.post(ASSOCIATE, {"all": "1", "q": "brun", "confirmed": "1"})
    assert not any(s.projects.exists() for s in world["outside"])
    assert world["foreign"].projects.count() == 1
