from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SearchableClientFactory, SpecialistFactory
from tokens.services import token_create

URL = "/api/v1/clients"


def _bearer(organization) -> dict[str, str]:
    issued = token_create(
        organization=organization,
        specialist=SpecialistFactory(organization=organization),
        description="Integração",
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


@pytest.fixture
def auth_a(org_a):
    return _bearer(org_a)


def test_it_searches_like_the_screen(client, auth_a, acme, org_a):
    SearchableClientFactory(organization=org_a, razao_social="Farmácia Bela Vista")
    response = client.get(URL, {"q": "sao joao 345/01"}, **auth_a)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["count_capped"] is False
    assert body["page"] == 1 and body["pages"] == 1
    assert body["results"] == [
        {
            "code": str(acme.code),
            "cnpj": "12ABC34501DE35",
            "cnpj_formatted": "12.ABC.345/01DE-35",
            "razao_social": "Comércio São João Ltda",
            "nome_fantasia": "Padaria Pão de Ouro",
            "conta": "sp-0042",
            "email_wvds": "cvc@b2midia.com.br",
            "status": "active",
        }
    ]


def test_it_pages(client, auth_a, org_a):
    SearchableClientFactory.create_batch(30, organization=org_a)
    body = client.get(URL, {"page": 2}, **auth_a).json()
    assert body["count"] == 30 and body["pages"] == 2 and body["page"] == 2
    assert len(body["results"]) == 5


def test_it_checks_ownership(client, acme, acme_b, org_b):
    body = client.get(URL, {"q": "sao joao"}, **_bearer(org_b)).json()
    assert [r["nome_fantasia"] for r in body["results"]] == ["Filial B"]


def test_it_requires_a_token(client, acme):
    assert client.get(URL).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer vg_nope_nope").status_code == 401


def test_it_refuses_bad_parameters(client, auth_a, acme):
    assert client.get(URL, {"q": "x" * 10_000}, **auth_a).status_code == 422
    assert client.get(URL, {"page": "abc"}, **auth_a).status_code == 422
    assert client.get(URL, {"page": 0}, **auth_a).status_code == 422
    assert client.get(URL, {"q": "%_'"}, **auth_a).json()["count"] == 0
