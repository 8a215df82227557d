"""A specialist group's projects: edited on the catalog screen and in the admin, offered to a
specialist who joins the group."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from specialists import services
from specialists.models import SpecialistGroup
from tests.factories import ProjectFactory, RoleFactory, SpecialistGroupFactory, UserFactory


@pytest.fixture
def varejo(org_a):
    return ProjectFactory(organization=org_a, name="Varejo")


@pytest.fixture
def shoppings(org_a, varejo):
    group = SpecialistGroupFactory(organization=org_a, name="Shoppings")
    group.projects.add(varejo)
    return group


def _add_url(specialist, group) -> str:
    kwargs = {"code": specialist.code, "kind": "groups", "item_code": group.code}
    return reverse("specialists:association_add", kwargs=kwargs)


def test_it_associates_a_group_and_optionally_its_projects(org_a, specialist_a, varejo):
    atacado = ProjectFactory(organization=org_a, name="Atacado")
    group = SpecialistGroupFactory(organization=org_a)
    group.projects.set([varejo, atacado])
    specialist_a.projects.add(varejo)
    assert (
        services.specialist_associate(organization=org_a, specialist=specialist_a, item=group) == []
    )
    assert set(specialist_a.projects.all()) == {varejo}
    joined = services.specialist_associate(
        organization=org_a, specialist=specialist_a, item=group, with_projects=True
    )
    assert joined == [atacado]
    assert set(specialist_a.projects.all()) == {varejo, atacado}
    assert list(specialist_a.groups.all()) == [group]


def test_it_saves_a_groups_projects_of_the_organization_only(org_a, org_b, varejo):
    group = services.catalog_save(
        organization=org_a, instance=SpecialistGroup(), name="Suporte", projects=[varejo]
    )
    assert list(group.projects.all()) == [varejo]
    foreign = ProjectFactory(organization=org_b)
    with pytest.raises(ValidationError):
        services.catalog_save(
            organization=org_a, instance=group, name="Suporte", projects=[foreign]
        )
    # Renaming without the projects keeps them.
    services.catalog_save(organization=org_a, instance=group, name="Suporte N1")
    assert list(group.projects.all()) == [varejo]


def test_the_catalog_screen_edits_a_groups_projects(alice_client, org_a, org_b, shoppings, varejo):
    atacado = ProjectFactory(organization=org_a, name="Atacado")
    ProjectFactory(organization=org_b, name="Projeto de B")
    page = alice_client.get(
        reverse("specialists:catalog", kwargs={"kind": "specialist-groups"}),
        {"edit": shoppings.code},
    )
    assert 'name="projects"' in page.text and "Atacado" in page.text
    assert "Projeto de B" not in page.text
    assert re.search(rf'value="{varejo.pk}"[^>]*checked', page.text)
    url = reverse("specialists:catalog_save", kwargs={"kind": "specialist-groups"})
    data = {"code": shoppings.code, "name": "Shoppings", "projects": [atacado.pk]}
    assert alice_client.post(url, data).status_code == 302
    assert list(shoppings.projects.all()) == [atacado]
    # Roles have no projects.
    roles = alice_client.get(reverse("specialists:catalog", kwargs={"kind": "roles"}))
    assert 'name="projects"' not in roles.text


def test_a_foreign_project_is_refused_on_the_catalog_screen(alice_client, org_b, shoppings, varejo):
    foreign = ProjectFactory(organization=org_b)
    url = reverse("specialists:catalog_save", kwargs={"kind": "specialist-groups"})
    data = {"code": shoppings.code, "name": "Shoppings", "projects": [foreign.pk]}
    assert alice_client.post(url, data).status_code == 422
    assert list(shoppings.projects.all()) == [varejo]


def test_a_group_with_projects_asks_first(
    bob_client, specialist_a, shoppings, varejo, htmx_headers
):
    url = _add_url(specialist_a, shoppings)
    asked = bob_client.post(url, **htmx_headers)
    assert asked["HX-Retarget"] == "#modal"
    body = asked.content.decode()
    assert "data-group-dialog" in body and "Varejo" in body and "<html" not in body
    assert f'hx-post="{url}"' in body and not specialist_a.groups.exists()
    done = bob_client.post(url, {"with_projects": "yes"}, **htmx_headers)
    assert "vigia:close-modal" in done["HX-Trigger"]
    # The tab panel, with the toast naming the projects joined.
    body = done.content.decode()
    assert 'id="tab-panel"' in body and "Varejo" in body.split('id="toasts"')[1]
    assert list(specialist_a.groups.all()) == [shoppings]
    assert list(specialist_a.projects.all()) == [varejo]


def test_without_javascript_the_question_is_a_page(bob_client, specialist_a, shoppings):
    url = _add_url(specialist_a, shoppings)
    page = bob_client.post(url)
    assert (
        page.status_code == 200 and "Varejo" in page.text and "data-group-dialog" not in page.text
    )
    assert f'action="{url}"' in page.text
    assert f"{reverse('specialists:detail', kwargs={'code': specialist_a.code})}?tab=groups" in (
        page.text
    )
    assert "Varejo" in bob_client.get(url).text
    assert not specialist_a.groups.exists()
    done = bob_client.post(url, {"with_projects": "no"})
    assert done.status_code == 302 and done["Location"].endswith("?tab=groups")
    assert specialist_a.groups.exists() and not specialist_a.projects.exists()


def test_a_group_without_new_projects_is_added_at_once(
    bob_client, specialist_a, shoppings, varejo, htmx_headers
):
    specialist_a.projects.add(varejo)
    response = bob_client.post(_add_url(specialist_a, shoppings), **htmx_headers)
    assert "HX-Retarget" not in response and list(specialist_a.groups.all()) == [shoppings]
    assert bob_client.get(_add_url(specialist_a, shoppings)).status_code == 302


def test_roles_are_added_at_once(bob_client, specialist_a, org_a):
    role = RoleFactory(organization=org_a)
    kwargs = {"code": specialist_a.code, "kind": "roles", "item_code": role.code}
    assert bob_client.post(reverse("specialists:association_add", kwargs=kwargs)).status_code == 302
    assert list(specialist_a.roles.all()) == [role]


def test_it_checks_ownership(charlie_client, specialist_a, shoppings):
    url = _add_url(specialist_a, shoppings)
    assert charlie_client.post(url, {"with_projects": "yes"}).status_code == 404
    assert charlie_client.get(url).status_code == 404
    assert not specialist_a.groups.exists()


def test_a_foreign_group_is_404(bob_client, specialist_a, org_b):
    foreign = SpecialistGroupFactory(organization=org_b)
    foreign.projects.add(ProjectFactory(organization=org_b))
    assert bob_client.post(_add_url(specialist_a, foreign)).status_code == 404
    assert bob_client.get(_add_url(specialist_a, foreign)).status_code == 404


def test_the_admin_edits_a_groups_projects(org_a, shoppings, varejo):
    client = HttpClient()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    atacado = ProjectFactory(organization=org_a, name="Atacado")
    url = reverse("admin:specialists_specialistgroup_change", args=[shoppings.pk])
    assert 'name="projects"' in client.get(url).text
    data = {"organization": org_a.pk, "name": "Shoppings", "projects": [atacado.pk]}
    assert client.post(url, data).status_code == 302
    assert list(shoppings.projects.all()) == [atacado]
