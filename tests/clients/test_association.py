"""Association mode on the Clientes list: the set-based association of clients with the
selected project (tenancy.association), the list's two modes, and the bulk actions."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from clients.models import Client
from tenancy.association import (
    association_add,
    association_remove,
    selection_parse,
    selection_rows,
)
from tenancy.models import User
from tests.factories import ProjectFactory, SearchableClientFactory
from tests.processes import embedded_env, manage

LIST = reverse("clients:list")
ASSOCIATE = reverse("clients:associate")
DISASSOCIATE = reverse("clients:disassociate")


@pytest.fixture(autouse=True)
def english(alice, bob, charlie):
    """The screens in English, the source language: the pt-BR and es catalogs are checked
    by tests/test_locale.py."""
    User.objects.filter(pk__in=[alice.pk, bob.pk, charlie.pk]).update(language="en")


@pytest.fixture
def world(org_a, org_b, project_a):
    """Org A: two clients in Varejo, three outside it (two named Farmácia); org B: one."""
    inside = [
        SearchableClientFactory(organization=org_a, razao_social=f"Padaria {n} Ltda")
        for n in range(2)
    ]
    for client in inside:
        client.projects.add(project_a)
    outside = [
        SearchableClientFactory(organization=org_a, razao_social="Farmácia Bela Vista ME"),
        SearchableClientFactory(organization=org_a, razao_social="Farmácia Central ME"),
        SearchableClientFactory(organization=org_a, razao_social="Ótica Três Irmãos ME"),
    ]
    foreign = SearchableClientFactory(organization=org_b, razao_social="Farmácia Estrangeira")
    return {"inside": inside, "outside": outside, "foreign": foreign, "project": project_a}


def _in_project(project) -> set[str]:
    return {
        c.razao_social for c in Client.objects.for_org(project.organization).in_project(project)
    }


def _post(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


# The set-based rule


def test_it_associates_a_search_in_one_statement(org_a, world, django_assert_num_queries):
    project = world["project"]
    rows = (
        Client.objects.for_org(org_a)
        .outside_project(project)
        .filter(razao_social__startswith="Farmácia")
    )
    with django_assert_num_queries(3):  # savepoint, INSERT … SELECT, release
        added = association_add(organization=org_a, project=project, rows=rows)
    assert added == 2
    assert _in_project(project) == {
        "Padaria 0 Ltda",
        "Padaria 1 Ltda",
        "Farmácia Bela Vista ME",
        "Farmácia Central ME",
    }


def test_associating_again_changes_nothing(org_a, world):
    project = world["project"]
    rows = Client.objects.for_org(org_a)
    assert association_add(organization=org_a, project=project, rows=rows) == 3
    assert association_add(organization=org_a, project=project, rows=rows) == 0
    assert Client.projects.through.objects.filter(project=project).count() == 5


def test_it_disassociates_from_that_project_only(org_a, world):
    project = world["project"]
    other = ProjectFactory(organization=org_a, name="Atacado")
    world["inside"][0].projects.add(other)
    removed = association_remove(
        organization=org_a, project=project, rows=Client.objects.for_org(org_a)
    )
    assert removed == 2
    assert _in_project(project) == set()
    assert list(world["inside"][0].projects.all()) == [other]
    assert Client.objects.for_org(org_a).count() == 5


def test_rows_of_another_organization_are_never_written(org_a, world):
    project = world["project"]
    everyone = Client.objects.all()
    assert association_add(organization=org_a, project=project, rows=everyone) == 3
    assert not world["foreign"].projects.exists()


def test_another_organizations_project_is_refused(org_b, world):
    with pytest.raises(ValidationError):
        association_add(
            organization=org_b, project=world["project"], rows=Client.objects.for_org(org_b)
        )
    assert not world["foreign"].projects.exists()


def test_a_foreign_code_refuses_the_whole_selection(org_a, world):
    codes = [str(world["outside"][0].code), str(world["foreign"].code)]
    selection = selection_parse(_post(codes=codes))
    with pytest.raises(ValidationError) as refused:
        selection_rows(
            organization=org_a, selection=selection, matching=Client.objects.for_org(org_a)
        )
    assert "1 das linhas selecionadas não foi encontrada" in refused.value.messages[0]


@pytest.mark.parametrize(
    "data", [{}, {"codes": "not-a-uuid"}, {"codes": [str(uuid.uuid4()) for _ in range(1001)]}]
)
def test_a_bad_selection_is_refused(data):
    with pytest.raises(ValidationError):
        selection_parse(_post(**data))


# The list


def test_the_list_shows_the_selected_projects_clients(bob_client, world):
    body = bob_client.get(LIST).content.decode()
    assert "Padaria 0 Ltda" in body and "Farmácia Central" not in body
    assert 'role="switch"' in body and 'aria-checked="false"' in body
    assert "Disassociate" in body and 'name="codes"' in body


def test_association_mode_shows_the_organizations_other_clients(bob_client, world):
    body = bob_client.get(LIST, {"mode": "associate"}).content.decode()
    assert "Farmácia Central" in body and "Ótica Três Irmãos" in body
    assert "Padaria 0 Ltda" not in body and "Estrangeira" not in body
    assert 'aria-checked="true"' in body and "Associate" in body
    assert 'name="mode" value="associate"' in body


def test_association_mode_searches_by_name(bob_client, world, htmx_headers):
    response = bob_client.get(LIST, {"mode": "associate", "q": "farmacia"}, **htmx_headers)
    body = response.content.decode()
    assert "<html" not in body
    assert "Bela Vista" in body and "Central" in body and "Ótica" not in body
    assert 'name="q" value="farmacia" form="association-form"' in body


def test_without_a_project_association_mode_is_not_offered(bob_client, org_a):
    SearchableClientFactory(organization=org_a, razao_social="Sem Projeto Ltda")
    body = bob_client.get(LIST, {"mode": "associate"}).content.decode()
    assert "Sem Projeto Ltda" in body
    assert 'role="switch"' not in body and 'name="codes"' not in body
    assert "Association mode needs a project" in body


def test_the_new_menu_offers_the_record_and_the_formats(bob_client, world):
    body = bob_client.get(LIST).content.decode()
    assert reverse("clients:create") in body
    assert f"{reverse('importexport:export_dialog')}?entity=clients" in body
    assert f"{reverse('importexport:import_dialog')}?entity=clients" in body
    assert "Export format" in body and "Import format" in body


# Bulk actions


def test_a_plain_post_asks_for_confirmation_naming_the_count(bob_client, world):
    codes = [str(c.code) for c in world["outside"][:2]]
    response = bob_client.post(ASSOCIATE, {"codes": codes})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "Associate 2 clients with the project “Varejo”?" in body
    assert body.count('name="codes"') == 2 and 'name="confirmed" value="1"' in body
    assert _in_project(world["project"]) == {"Padaria 0 Ltda", "Padaria 1 Ltda"}


def test_htmx_gets_the_confirmation_as_a_native_dialog(bob_client, world, htmx_headers):
    response = bob_client.post(
        ASSOCIATE, {"codes": [str(world["outside"][0].code)]}, **htmx_headers
    )
    body = response.content.decode()
    assert "<html" not in body and "<dialog" in body and "data-modal" in body
    assert "Associate 1 client with the project “Varejo”?" in body


def test_confirmed_it_associates_and_goes_back_to_the_list(bob_client, world):
    codes = [str(c.code) for c in world["outside"][:2]]
    back = f"{LIST}?mode=associate"
    response = bob_client.post(ASSOCIATE, {"codes": codes, "confirmed": "1", "next": back})
    assert response.status_code == 302 and response.url == back
    assert "Farmácia Central ME" in _in_project(world["project"])
    page = bob_client.get(back).content.decode()
    assert "2 clients associated with the project “Varejo”." in page


def test_confirmed_with_htmx_it_answers_a_toast_and_the_list_reloads(
    bob_client, world, htmx_headers
):
    response = bob_client.post(
        DISASSOCIATE,
        {"codes": [str(world["inside"][0].code)], "confirmed": "1"},
        **htmx_headers,
    )
    body = response.content.decode()
    assert 'hx-swap-oob="beforeend"' in body
    assert "1 client disassociated from the project “Varejo”." in body
    events = json.loads(response["HX-Trigger"])
    assert "vigia:association-changed" in events and "vigia:close-dialog" in events
    assert _in_project(world["project"]) == {"Padaria 1 Ltda"}


def test_the_organizations_history_gets_one_entry_per_action(bob_client, world, bob):
    from auditlog.models import LogEntry

    bob_client.post(ASSOCIATE, {"all": "1", "q": "", "confirmed": "1"})
    entries = LogEntry.objects.filter(additional_data__event="associated")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_id == world["project"].organization_id and entry.actor == bob
    assert entry.additional_data["count"] == 3 and entry.additional_data["project"] == "Varejo"


def test_every_match_of_the_search_is_sent_as_the_search(bob_client, world, monkeypatch):
    from clients import selectors

    # More matches than the page: the selection is the search, not the page's codes.
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    data = {"all": "1", "q": "farmacia"}
    confirm = bob_client.post(ASSOCIATE, data).content.decode()
    assert "Associate 2 clients" in confirm
    bob_client.post(ASSOCIATE, {**data, "confirmed": "1"})
    assert _in_project(world["project"]) >= {"Farmácia Bela Vista ME", "Farmácia Central ME"}
    assert "Ótica Três Irmãos ME" not in _in_project(world["project"])


def test_disassociate_every_match(bob_client, world):
    bob_client.post(DISASSOCIATE, {"all": "1", "q": "", "confirmed": "1"})
    assert _in_project(world["project"]) == set()
    assert Client.objects.for_org(world["project"].organization).count() == 5


def test_a_foreign_code_changes_nothing_and_is_reported(bob_client, world, htmx_headers):
    codes = [str(world["outside"][0].code), str(world["foreign"].code)]
    plain = bob_client.post(ASSOCIATE, {"codes": codes, "confirmed": "1"})
    assert plain.status_code == 422
    assert "Nothing was changed" in plain.content.decode()
    htmx = bob_client.post(ASSOCIATE, {"codes": codes, "confirmed": "1"}, **htmx_headers)
    assert htmx.status_code == 200 and "Nothing was changed" in htmx.content.decode()
    assert htmx["HX-Reswap"] == "none"
    assert _in_project(world["project"]) == {"Padaria 0 Ltda", "Padaria 1 Ltda"}
    assert not world["foreign"].projects.exists()


def test_rows_already_in_the_project_are_said_so(bob_client, world):
    response = bob_client.post(ASSOCIATE, {"codes": [str(world["inside"][0].code)]})
    assert response.status_code == 422
    assert "already in the project" in response.content.decode()


def test_nothing_ticked_is_refused(bob_client, world):
    response = bob_client.post(DISASSOCIATE, {})
    assert response.status_code == 422
    assert "Tick at least one row" in response.content.decode()


def test_without_a_project_the_bulk_actions_refuse(bob_client, org_a):
    client = SearchableClientFactory(organization=org_a)
    response = bob_client.post(ASSOCIATE, {"codes": [str(client.code)], "confirmed": "1"})
    assert response.status_code == 422
    assert not client.projects.exists()


def test_it_checks_ownership(charlie_client, world, org_b):
    ProjectFactory(organization=org_b, name="Projeto B")
    codes = [str(c.code) for c in world["outside"]]
    response = charlie_client.post(ASSOCIATE, {"codes": codes, "confirmed": "1"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Farmácia" not in body
    assert not any(c.projects.exists() for c in world["outside"])
    # Every match of charlie's search is charlie's organization's rows only.
    charlie_client.post(ASSOCIATE, {"all": "1", "q": "farmacia", "confirmed": "1"})
    assert not any(c.projects.exists() for c in world["outside"])
    assert world["foreign"].projects.count() == 1


# The embedded default: the same SQL on SQLite.

SQLITE_SCRIPT = """
import json
from clients.models import Client
from clients.services import client_prepare
from specialists.models import Specialist
from tenancy.association import association_add, association_remove
from tenancy.models import Organization, Project
from tests.factories import _cnpj

org = Organization.objects.create(name="Embutida", slug="embutida")
other = Organization.objects.create(name="Outra", slug="outra")
project = Project.objects.create(organization=org, name="Varejo")
Client.objects.bulk_create(
    Client(organization=o, **client_prepare({"cnpj": _cnpj(n), "razao_social": f"Loja {n}"}))
    for o in (org, other) for n in range(50)
)
for n in range(5):
    Specialist.objects.create(organization=org, name=f"Pessoa {n}", email=f"p{n}@x.com")
clients = Client.objects.filter(organization=org)
half = clients.filter(razao_social__endswith="1")
result = {
    "first": association_add(organization=org, project=project, rows=half),
    "again": association_add(organization=org, project=project, rows=clients),
    "all": association_add(organization=org, project=project, rows=Client.objects.all()),
    "in_project": clients.in_project(project).count(),
    "foreign": Client.objects.filter(organization=other, projects=project).count(),
    "specialists": association_add(
        organization=org, project=project, rows=Specialist.objects.filter(organization=org)
    ),
    "removed": association_remove(organization=org, project=project, rows=half),
    "outside": clients.outside_project(project).count(),
}
print(json.dumps(result))
"""


@pytest.mark.slow
def test_the_same_statements_work_on_the_embedded_sqlite(tmp_path):
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v", "0")
    result = json.loads(manage(env, "shell", "-c", SQLITE_SCRIPT).splitlines()[-1])
    assert result == {
        "first": 5,
        "again": 45,
        "all": 0,
        "in_project": 50,
        "foreign": 0,
        "specialists": 5,
        "removed": 5,
        "outside": 5,
    }
