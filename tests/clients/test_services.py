from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clients.models import Client
from clients.services import client_create, client_delete, client_update

FIELDS = {
    "cnpj": "12.abc.345/01de-35",
    "razao_social": "  Comércio São João Ltda ",
    "nome_fantasia": "Pão de Ouro",
    "conta": "sp-0042",
    "email_wvds": "CVC@B2midia.com.br",
    "anotacoes": "",
    "status": Client.Status.ACTIVE,
}


def test_it_creates_a_normalized_client(org_a, alice, project_a):
    client = client_create(organization=org_a, actor=alice, project=project_a, **FIELDS)
    client.refresh_from_db()
    assert client.cnpj == "12ABC34501DE35"
    assert client.cnpj_formatted == "12.ABC.345/01DE-35"
    assert client.razao_social == "Comércio São João Ltda"
    assert client.email_wvds == "cvc@b2midia.com.br"
    assert "comercio sao joao ltda" in client.search_text
    assert client.created_by == alice and client.updated_by == alice
    assert list(client.projects.all()) == [project_a]


def test_it_creates_without_a_project(org_a, alice):
    client = client_create(organization=org_a, actor=alice, **FIELDS)
    assert not client.projects.exists()


def test_it_refuses_an_invalid_cnpj(org_a, alice):
    with pytest.raises(ValidationError) as error:
        client_create(organization=org_a, actor=alice, **{**FIELDS, "cnpj": "11.222.333/0001-82"})
    assert "cnpj" in error.value.message_dict
    assert not Client.objects.exists()


def test_it_refuses_a_duplicate_cnpj_in_the_organization(org_a, alice, acme):
    with pytest.raises(ValidationError) as error:
        client_create(organization=org_a, actor=alice, **FIELDS)
    assert error.value.message_dict["cnpj"] == [
        "Já existe um cliente com este CNPJ nesta organização."
    ]
    assert Client.objects.for_org(org_a).count() == 1


def test_it_allows_the_same_cnpj_in_another_organization(org_b, charlie, acme):
    client = client_create(organization=org_b, actor=charlie, **FIELDS)
    assert client.cnpj == acme.cnpj


def test_it_stores_html_as_plain_text(org_a, alice):
    client = client_create(
        organization=org_a, actor=alice, **{**FIELDS, "razao_social": "<script>x</script>"}
    )
    client.refresh_from_db()
    assert client.razao_social == "<script>x</script>"


def test_it_updates_and_recomputes_the_search_text(org_a, bob, acme):
    client_update(
        organization=org_a,
        client=acme,
        actor=bob,
        **{**FIELDS, "razao_social": "Ótica Três Irmãos"},
    )
    acme.refresh_from_db()
    assert acme.razao_social == "Ótica Três Irmãos"
    assert "otica tres irmaos" in acme.search_text
    assert "comercio" not in acme.search_text
    assert acme.updated_by == bob


def test_it_refuses_to_update_to_another_clients_cnpj(org_a, bob, acme):
    other = client_create(organization=org_a, actor=bob, **{**FIELDS, "cnpj": "11222333000181"})
    with pytest.raises(ValidationError):
        client_update(organization=org_a, client=other, actor=bob, **FIELDS)
    other.refresh_from_db()
    assert other.cnpj == "11222333000181"


def test_it_does_not_resurrect_a_client_deleted_meanwhile(org_a, alice, bob, acme):
    stale = Client.objects.get(pk=acme.pk)
    client_delete(organization=org_a, client=acme)
    with pytest.raises(Client.DoesNotExist):
        client_update(organization=org_a, client=stale, actor=bob, **FIELDS)
    assert not Client.objects.filter(pk=acme.pk).exists()


def test_it_deletes_a_client_once(org_a, acme):
    client_delete(organization=org_a, client=acme)
    assert not Client.objects.filter(pk=acme.pk).exists()
    with pytest.raises(Client.DoesNotExist):
        client_delete(organization=org_a, client=acme)


def test_it_never_touches_another_organizations_client(org_b, acme):
    with pytest.raises(Client.DoesNotExist):
        client_delete(organization=org_b, client=acme)
    assert Client.objects.filter(pk=acme.pk).exists()


def test_it_refuses_unknown_fields(org_a, alice):
    with pytest.raises(TypeError):
        client_create(organization=org_a, actor=alice, **{**FIELDS, "organization_id": 1})
