from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import SpecialistFactory
from tokens.models import IntegrationToken
from tokens.services import token_authenticate, token_create


def _issue(specialist):
    return token_create(
        specialist=specialist, description="ERP", expires_at=timezone.now() + timedelta(days=3)
    )


def test_it_checks_ownership(charlie_client, org_a):
    specialist = SpecialistFactory(organization=org_a)
    issued = _issue(specialist)
    create = reverse("tokens:create", kwargs={"specialist_code": specialist.code})
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = charlie_client.post(create, {"description": "x", "expires_on": tomorrow})
    assert response.status_code == 404
    revoke = reverse("tokens:revoke", kwargs={"code": issued.token.code})
    assert charlie_client.post(revoke).status_code == 404
    assert IntegrationToken.objects.count() == 1


def test_it_shows_a_new_token_once(alice_client, org_a, htmx_headers):
    specialist = SpecialistFactory(organization=org_a)
    create = reverse("tokens:create", kwargs={"specialist_code": specialist.code})
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = alice_client.post(
        create, {"description": "Player", "expires_on": tomorrow}, **htmx_headers
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


def test_it_refuses_a_past_expiry_date(alice_client, org_a):
    specialist = SpecialistFactory(organization=org_a)
    create = reverse("tokens:create", kwargs={"specialist_code": specialist.code})
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = alice_client.post(create, {"description": "x", "expires_on": yesterday})
    assert response.status_code == 422
    assert "não pode estar no passado" in response.text
    assert not IntegrationToken.objects.exists()


def test_it_revokes_at_once(alice_client, org_a, htmx_headers):
    specialist = SpecialistFactory(organization=org_a)
    issued = _issue(specialist)
    response = alice_client.post(
        reverse("tokens:revoke", kwargs={"code": issued.token.code}), **htmx_headers
    )
    assert response.status_code == 200
    assert not IntegrationToken.objects.exists()
    assert token_authenticate(issued.secret) is None


def test_it_refuses_a_token_without_description_or_date(alice_client, org_a):
    specialist = SpecialistFactory(organization=org_a)
    create = reverse("tokens:create", kwargs={"specialist_code": specialist.code})
    response = alice_client.post(create, {"description": " ", "expires_on": "2026-13-45"})
    assert response.status_code == 422
    assert "Este campo é obrigatório" in response.text
    assert "Informe uma data válida" in response.text
    assert not IntegrationToken.objects.exists()
