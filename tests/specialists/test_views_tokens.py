"""The integration tokens tab of the specialist page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SpecialistFactory
from tokens.models import IntegrationToken
from tokens.services import token_authenticate, token_create


@pytest.fixture
def specialist(org_a):
    return SpecialistFactory(organization=org_a)


def _issue(specialist):
    return token_create(
        organization=specialist.organization,
        specialist=specialist,
        description="ERP",
        expires_at=timezone.now() + timedelta(days=3),
    )


def _create_url(specialist) -> str:
    return reverse("specialists:token_create", kwargs={"code": specialist.code})


def _revoke_url(specialist, token) -> str:
    return reverse(
        "specialists:token_revoke", kwargs={"code": specialist.code, "token_code": token.code}
    )


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def test_it_checks_ownership(charlie_client, specialist):
    issued = _issue(specialist)
    response = charlie_client.post(
        _create_url(specialist), {"description": "x", "expires_on": _tomorrow()}
    )
    assert response.status_code == 404
    assert charlie_client.get(_revoke_url(specialist, issued.token)).status_code == 404
    assert charlie_client.post(_revoke_url(specialist, issued.token)).status_code == 404
    assert IntegrationToken.objects.count() == 1


def test_it_revokes_a_token_only_through_its_own_specialist(alice_client, specialist, org_a):
    issued = _issue(specialist)
    other = SpecialistFactory(organization=org_a)
    assert alice_client.post(_revoke_url(other, issued.token)).status_code == 404
    assert IntegrationToken.objects.count() == 1


def test_it_shows_a_new_token_once(alice_client, specialist, htmx_headers):
    response = alice_client.post(
        _create_url(specialist),
        {"description": "Player", "expires_on": _tomorrow()},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "<html" not in response.text
    token = IntegrationToken.objects.get()
    secret = response.text.split('id="new-token" value="')[1].split('"')[0]
    assert token_authenticate(secret) == token
    # Afterwards the list shows the description and prefix, never the secret.
    page = alice_client.get(
        reverse("specialists:detail", kwargs={"code": specialist.code}) + "?tab=tokens"
    )
    assert "Player" in page.text and f"vg_{token.prefix}" in page.text
    assert secret not in page.text


def test_it_refuses_a_past_expiry_date(alice_client, specialist, htmx_headers):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = {"description": "x", "expires_on": yesterday}
    response = alice_client.post(_create_url(specialist), data)
    assert response.status_code == 422
    assert "não pode estar no passado" in response.text
    # htmx swaps only 2xx answers: the same refusal comes back as a 200 fragment.
    response = alice_client.post(_create_url(specialist), data, **htmx_headers)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "não pode estar no passado" in response.text
    assert not IntegrationToken.objects.exists()


def test_it_refuses_a_token_without_description_or_date(alice_client, specialist):
    response = alice_client.post(
        _create_url(specialist), {"description": " ", "expires_on": "2026-13-45"}
    )
    assert response.status_code == 422
    assert "Este campo é obrigatório" in response.text
    assert "Informe uma data válida" in response.text
    assert not IntegrationToken.objects.exists()


def test_it_asks_before_revoking_with_javascript_off(alice_client, specialist):
    issued = _issue(specialist)
    url = _revoke_url(specialist, issued.token)
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "Revogar este token?" in page.text
    assert "ERP" in page.text
    assert IntegrationToken.objects.exists()
    response = alice_client.post(url)
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=tokens")
    assert not IntegrationToken.objects.exists()
    assert token_authenticate(issued.secret) is None


def test_it_revokes_at_once_with_htmx(alice_client, specialist, htmx_headers):
    issued = _issue(specialist)
    response = alice_client.post(_revoke_url(specialist, issued.token), **htmx_headers)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Nenhum token de integração." in response.text
    assert not IntegrationToken.objects.exists()
