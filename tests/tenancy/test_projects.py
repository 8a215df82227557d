"""Projects: admins create, rename, archive and restore them in Configurações; archived
projects leave the top-right selector and keep their associations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tenancy import services
from tenancy.models import Project, User
from tenancy.selectors import PROJECT_SESSION_KEY, project_list, project_overview
from tests.factories import ClientFactory, ProjectFactory, SpecialistFactory


@pytest.fixture(autouse=True)
def english(alice, bob, charlie):
    """The screens in English, the source language: the pt-BR and es catalogs are checked
    by tests/test_locale.py."""
    User.objects.filter(pk__in=[alice.pk, bob.pk, charlie.pk]).update(language="en")


SETTINGS = reverse("organization_settings")
CREATE = reverse("project_create")


def _rename(project):
    return reverse("project_rename", args=[project.code])


def _archive(project):
    return reverse("project_archive", args=[project.code])


def _restore(project):
    return reverse("project_restore", args=[project.code])


# Services and selectors


def test_it_creates_a_project_with_a_trimmed_name(org_a):
    project = services.project_create(organization=org_a, name="  Atacado  ")
    assert project.name == "Atacado" and not project.archived


def test_it_refuses_a_taken_name_in_any_case_archived_included(org_a, project_a):
    project_a.archived = True
    project_a.save()
    with pytest.raises(ValidationError) as refused:
        services.project_create(organization=org_a, name="varejo")
    assert "name" in refused.value.message_dict
    assert Project.objects.filter(organization=org_a).count() == 1


def test_the_same_name_is_free_in_another_organization(org_b, project_a):
    assert services.project_create(organization=org_b, name=project_a.name).pk


def test_it_refuses_an_empty_name(org_a):
    with pytest.raises(ValidationError):
        services.project_create(organization=org_a, name="   ")
    assert not Project.objects.filter(organization=org_a).exists()


def test_it_renames_and_refuses_another_organizations_project(org_a, org_b, project_a):
    services.project_rename(organization=org_a, project=project_a, name="Varejo Sul")
    project_a.refresh_from_db()
    assert project_a.name == "Varejo Sul"
    with pytest.raises(ValidationError):
        services.project_rename(organization=org_b, project=project_a, name="Tomado")
    project_a.refresh_from_db()
    assert project_a.name == "Varejo Sul"


def test_archiving_keeps_the_associations_and_leaves_the_selector(org_a, project_a):
    client = ClientFactory(organization=org_a)
    client.projects.add(project_a)
    specialist = SpecialistFactory(organization=org_a)
    specialist.projects.add(project_a)
    services.project_set_archived(organization=org_a, project=project_a, archived=True)
    assert list(project_list(organization=org_a)) == []
    assert list(project_list(organization=org_a, include_archived=True)) == [project_a]
    assert list(client.projects.all()) == [project_a]
    assert list(specialist.projects.all()) == [project_a]
    services.project_set_archived(organization=org_a, project=project_a, archived=False)
    assert list(project_list(organization=org_a)) == [project_a]


def test_the_overview_counts_each_kind_of_row(org_a, project_a):
    other = ProjectFactory(organization=org_a, name="Atacado", archived=True)
    for client in ClientFactory.create_batch(3, organization=org_a):
        client.projects.add(project_a)
    SpecialistFactory(organization=org_a).projects.add(project_a, other)
    overview = list(project_overview(organization=org_a))
    # Archived projects come last.
    assert overview == [project_a, other]
    assert (overview[0].clients_count, overview[0].specialists_count) == (3, 1)
    assert (overview[1].clients_count, overview[1].specialists_count) == (0, 1)


# Screens


def test_the_settings_page_lists_the_projects_with_their_counts(alice_client, org_a, project_a):
    ClientFactory(organization=org_a).projects.add(project_a)
    ProjectFactory(organization=org_a, name="Antigo", archived=True)
    body = alice_client.get(SETTINGS).content.decode()
    assert 'id="projects"' in body
    assert "Varejo" in body and "Antigo" in body and "Archived" in body
    assert "Create project" in body


def test_an_admin_creates_a_project(alice_client, org_a):
    response = alice_client.post(CREATE, {"name": "Atacado"})
    assert response.status_code == 302 and response.url.endswith("#projects")
    assert Project.objects.filter(organization=org_a, name="Atacado").exists()
    assert "Project “Atacado” created." in alice_client.get(SETTINGS).content.decode()


def test_a_taken_name_comes_back_with_the_message(alice_client, org_a, project_a):
    response = alice_client.post(CREATE, {"name": "VAREJO"})
    assert response.status_code == 422
    assert "A project with this name already exists" in response.content.decode()
    assert Project.objects.filter(organization=org_a).count() == 1


def test_an_admin_renames_a_project(alice_client, project_a):
    response = alice_client.post(_rename(project_a), {"name": "Varejo Norte"})
    assert response.status_code == 302
    project_a.refresh_from_db()
    assert project_a.name == "Varejo Norte"


def test_a_refused_rename_shows_the_error_on_that_row(alice_client, org_a, project_a):
    other = ProjectFactory(organization=org_a, name="Atacado")
    response = alice_client.post(_rename(other), {"name": "Varejo"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "A project with this name already exists" in body
    other.refresh_from_db()
    assert other.name == "Atacado"
    # The row still shows the name it has, its rename form what was typed.
    assert f'id="project-{other.code}"' in body and ">Atacado</td>" in body


def test_archive_and_restore_move_the_project_out_of_and_back_into_the_selector(
    alice_client, org_a, project_a
):
    ProjectFactory(organization=org_a, name="Atacado")
    alice_client.post(_archive(project_a))
    project_a.refresh_from_db()
    assert project_a.archived
    body = alice_client.get(reverse("clients:list")).content.decode()
    selector = body.split('id="project-select"')[1].split("</select>")[0]
    assert "Atacado" in selector and "Varejo" not in selector
    alice_client.post(_restore(project_a))
    project_a.refresh_from_db()
    assert not project_a.archived


def test_an_archived_selected_project_gives_way_to_an_active_one(alice_client, org_a, project_a):
    active = ProjectFactory(organization=org_a, name="Atacado")
    session = alice_client.session
    session[PROJECT_SESSION_KEY] = str(project_a.code)
    session.save()
    services.project_set_archived(organization=org_a, project=project_a, archived=True)
    response = alice_client.get(reverse("clients:list"))
    assert response.wsgi_request.project == active
    # Nor can it be chosen again while archived.
    switched = alice_client.post(reverse("project_switch"), {"project": str(project_a.code)})
    assert switched.status_code == 404


def test_operators_cannot_manage_projects(bob_client, org_a, project_a):
    assert bob_client.post(CREATE, {"name": "Atacado"}).status_code == 403
    assert bob_client.post(_rename(project_a), {"name": "X"}).status_code == 403
    assert bob_client.post(_archive(project_a)).status_code == 403
    project_a.refresh_from_db()
    assert project_a.name == "Varejo" and not project_a.archived
    assert Project.objects.filter(organization=org_a).count() == 1


def test_it_checks_ownership(charlie_client, project_a):
    assert charlie_client.post(_rename(project_a), {"name": "Tomado"}).status_code == 404
    assert charlie_client.post(_archive(project_a)).status_code == 404
    assert charlie_client.post(_restore(project_a)).status_code == 404
    project_a.refresh_from_db()
    assert project_a.name == "Varejo" and not project_a.archived
