"""The API's frame: authentication, JSON errors, limits and the schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from specialists.models import Specialist
from tests.factories import SpecialistFactory
from tokens.models import IntegrationToken
from tokens.services import token_create, token_revoke

ME = "/api/v1/me"
PROBE = "/probe-api/probe"


def test_it_answers_me_with_the_tokens_specialist(client, auth, api_specialist, org_a):
    response = client.get(ME, **auth)
    assert response.status_code == 200
    assert response.json() == {
        "specialist": {
            "code": str(api_specialist.code),
            "name": "Integração ERP",
            "email": "erp@example.com",
            "status": "active",
            "culture": "pt-br",
        },
        "organization": {"code": str(org_a.code), "name": org_a.name},
    }


def test_it_records_the_last_use(client, auth, api_specialist):
    client.get(ME, **auth)
    assert IntegrationToken.objects.get(specialist=api_specialist).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer vg_nothere_abc",
        "Bearer not-a-token",
        "Bearer vg__",
        "Bearer vg_" + "a" * 500 + "_x",
        "Bearer ' OR 1=1 --",
    ],
)
def test_it_refuses_missing_and_malformed_tokens(client, api_token, header):
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get(ME, **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_it_explains_a_missing_token_in_portuguese(client):
    assert "Autenticação necessária" in client.get(ME).json()["detail"]


def test_it_refuses_a_tampered_token(client, api_token):
    tampered = api_token[:-2] + ("AA" if not api_token.endswith("AA") else "BB")
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert response.status_code == 401
    assert response.json() == {"detail": "O token é inválido, expirou ou foi revogado."}


def test_it_refuses_an_expired_token(client, org_a, api_specialist, api_token):
    IntegrationToken.objects.filter(specialist=api_specialist).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {api_token}").status_code == 401


def test_it_refuses_a_revoked_token_at_once(client, org_a, api_specialist, auth):
    assert client.get(ME, **auth).status_code == 200
    token_revoke(organization=org_a, token=IntegrationToken.objects.get(specialist=api_specialist))
    assert client.get(ME, **auth).status_code == 401


def test_it_refuses_the_token_of_an_inactive_specialist(client, api_specialist, auth):
    Specialist.objects.filter(pk=api_specialist.pk).update(status=Specialist.Status.INACTIVE)
    assert client.get(ME, **auth).status_code == 401


def test_it_scopes_the_token_to_its_organization(client, auth, org_a, org_b):
    mine = SpecialistFactory(organization=org_a)
    foreign = SpecialistFactory(organization=org_b)
    assert client.get(f"/api/v1/specialists/{mine.code}", **auth).status_code == 200
    response = client.get(f"/api/v1/specialists/{foreign.code}", **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Não encontrado."}


def test_it_uses_organization_bs_token_only_for_b(client, org_a, org_b):
    specialist_b = SpecialistFactory(organization=org_b)
    token_b = token_create(
        organization=org_b,
        specialist=specialist_b,
        description="B",
        expires_at=timezone.now() + timedelta(days=1),
    ).secret
    specialist_a = SpecialistFactory(organization=org_a)
    response = client.get(
        f"/api/v1/specialists/{specialist_a.code}", HTTP_AUTHORIZATION=f"Bearer {token_b}"
    )
    assert response.status_code == 404
    me = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token_b}").json()
    assert me["organization"]["code"] == str(org_b.code)


def test_it_answers_422_for_a_malformed_path_parameter(client, auth):
    response = client.get("/api/v1/specialists/not-a-uuid", **auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "A requisição é inválida."
    assert response.json()["errors"]


def test_it_answers_json_404_for_unknown_api_paths(client, auth):
    for method in (client.get, client.post):
        response = method("/api/v1/nothing/here", **auth)
        assert response.status_code == 404
        assert response.json() == {"detail": "Não encontrado."}


@pytest.mark.urls("tests.api.probe_urls")
def test_it_answers_413_for_a_10_mb_body(client, auth):
    body = b'{"x": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    response = client.generic("POST", PROBE, body, "application/json", **auth)
    assert response.status_code == 413
    assert response.json() == {"detail": "O corpo da requisição é grande demais."}


@pytest.mark.urls("tests.api.probe_urls")
def test_it_answers_422_for_invalid_json(client, auth):
    response = client.generic("POST", PROBE, b'{"identifier": ', "application/json", **auth)
    assert response.status_code == 422
    assert response.json() == {"detail": "O corpo da requisição não é um JSON válido."}


@pytest.mark.urls("tests.api.probe_urls")
def test_it_answers_422_for_a_body_of_the_wrong_shape(client, auth):
    response = client.post(PROBE, {"count": "many"}, "application/json", **auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "payload", "count"]
    ok = client.post(PROBE, {"count": 2}, "application/json", **auth)
    assert ok.json() == {"count": 2, "specialist": "Integração ERP"}


def test_it_limits_the_rate_per_token(client, auth, settings, org_a, api_specialist):
    settings.API_RATE_LIMIT_REQUESTS = 3
    settings.API_RATE_LIMIT_WINDOW = 60
    assert [client.get(ME, **auth).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(ME, **auth)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert (
        response.json()["detail"]
        == "Requisições demais para este token; tente novamente mais tarde."
    )
    # Another token of the same specialist has its own budget.
    other = token_create(
        organization=api_specialist.organization,
        specialist=api_specialist,
        description="2",
        expires_at=timezone.now() + timedelta(days=1),
    ).secret
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


def test_it_serves_the_schema_and_the_docs(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/me" in paths
    assert schema.json()["components"]["securitySchemes"]["BearerTokenAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr" not in docs.text


def test_it_answers_json_405_for_a_wrong_method(client, auth):
    response = client.delete(ME, **auth)
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "O método DELETE não é permitido aqui; use GET."}


def _body_operations(client) -> list[tuple[str, str]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "requestBody" in operation and "{" not in path
    ]


def test_it_applies_the_body_limits_to_every_real_endpoint(client, auth):
    operations = _body_operations(client)
    if not operations:
        pytest.skip("no endpoint with a body in this build")
    too_big = b"[" + b"1," * (5 * 1024 * 1024) + b"1]"
    for method, path in operations:
        response = client.generic(method, path, too_big, "application/json", **auth)
        assert response.status_code == 413, path
        response = client.generic(method, path, b"{not json", "application/json", **auth)
        assert response.status_code == 422, path
        assert response.json() == {"detail": "O corpo da requisição não é um JSON válido."}
