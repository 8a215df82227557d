"""The generic link over HTTP: the Contatos panel and the public form with its limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients import cnpj as cnpj_rules
from portal import generic_link as link
from portal.models import MB, portal_settings_for
from servicerequests.models import RequestAttachment, ServiceRequest
from terminals.models import AlertEmail
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db
SETTINGS = reverse("portal:generic_link_settings")
REGENERATE = reverse("portal:generic_link_regenerate")
EMAIL = reverse("portal:generic_link_email")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_rate():
    # Every test starts a rate window of its own: the cache outlives the test database.
    cache.clear()


def _url(organization, token: str | None = None) -> str:
    token = token or portal_settings_for(organization).link_token
    return reverse("portal:generic_link", args=[organization.slug, token])


def _limits(organization, **values) -> None:
    portal = portal_settings_for(organization)
    for name, value in values.items():
        setattr(portal, f"link_{name}", value)
    portal.save()


def _data(**extra) -> dict:
    return {
        "requester_name": "Paula Dias",
        "requester_email": "paula@example.com",
        "client_cnpj": "",
        "subject": "Tela apagada",
        "description": "O terminal da recepção não liga.",
        **extra,
    }


def _file(size: int, name: str = "nota.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="text/plain")


def _stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


# --- the public form -----------------------------------------------------------------------


def test_it_sends_a_request_with_attachments_for_the_client_of_the_cnpj(client, org_a, media):
    customer = ClientFactory(organization=org_a)
    data = _data(
        client_cnpj=cnpj_rules.format_cnpj(customer.cnpj),
        files=[_file(1000), _file(2000, "lista.csv")],
    )
    response = client.post(_url(org_a), data)
    assert response.status_code == 200
    request = ServiceRequest.objects.get()
    assert request.organization == org_a and request.via_link and request.client == customer
    assert request.requester_email == "paula@example.com"
    assert sorted(request.attachments.values_list("size", flat=True)) == [1000, 2000]
    assert request.reference in response.content.decode()


def test_the_form_page_opens_and_checks_the_cnpj(client, org_a):
    assert client.get(_url(org_a)).status_code == 200
    response = client.post(_url(org_a), _data(client_cnpj="11.111.111/0001-11"))
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists()


def test_a_link_of_organization_a_never_creates_in_b(client, org_a, org_b):
    token_a = portal_settings_for(org_a).link_token
    response = client.post(_url(org_b, token_a), _data())
    assert response.status_code == 404
    client.post(_url(org_a), _data())
    assert ServiceRequest.objects.get().organization == org_a
    assert link.generic_link_usage(organization=org_b).requests == 0


def test_an_expired_link_answers_410_and_stores_nothing(client, org_a):
    _limits(org_a, expires=True, expires_on=timezone.localdate() - timedelta(days=1))
    assert client.get(_url(org_a)).status_code == 410
    assert client.post(_url(org_a), _data()).status_code == 410
    assert not ServiceRequest.objects.exists()


def test_a_regenerated_link_is_refused_at_once(client, alice_client, org_a):
    old = _url(org_a)
    assert alice_client.post(REGENERATE).status_code == 302
    assert client.get(old).status_code == 410
    assert client.post(old, _data()).status_code == 410
    assert client.get(_url(org_a)).status_code == 200
    assert not ServiceRequest.objects.exists()


def test_the_requests_per_day_limit_refuses_with_nothing_stored(client, org_a, media):
    _limits(org_a, max_requests_per_day=1)
    assert client.post(_url(org_a), _data(files=[_file(10)])).status_code == 200
    response = client.post(_url(org_a), _data(files=[_file(10)]))
    assert response.status_code == 429
    assert 'data-limit="requests_per_day"' in response.content.decode()
    assert response["Retry-After"]
    assert ServiceRequest.objects.count() == 1 and len(_stored_files(media)) == 1
    # Opening the form again says so at once.
    assert client.get(_url(org_a)).status_code == 429


def test_the_size_per_request_limit_refuses_with_nothing_stored(client, org_a, media):
    _limits(org_a, max_bytes_per_request=1 * MB)
    response = client.post(_url(org_a), _data(files=[_file(MB // 2), _file(MB // 2 + 1)]))
    assert response.status_code == 413
    assert 'data-limit="bytes_per_request"' in response.content.decode()
    assert not ServiceRequest.objects.exists() and not _stored_files(media)


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(client, org_a):
    _limits(org_a, max_bytes_per_request=1 * MB)
    response = client.post(_url(org_a), _data(files=[_file(10)]), CONTENT_LENGTH=str(50 * MB))
    assert response.status_code == 413
    assert not ServiceRequest.objects.exists()


def test_the_size_per_day_limit_refuses_with_nothing_stored(client, org_a, media):
    _limits(org_a, max_bytes_per_request=2 * MB, max_bytes_per_day=2 * MB)
    assert client.post(_url(org_a), _data(files=[_file(MB + MB // 2)])).status_code == 200
    response = client.post(_url(org_a), _data(files=[_file(MB)]))
    assert response.status_code == 413
    assert 'data-limit="bytes_per_day"' in response.content.decode()
    assert ServiceRequest.objects.count() == 1 and len(_stored_files(media)) == 1
    # A request without files still fits today.
    assert client.post(_url(org_a), _data()).status_code == 200


def test_the_form_is_rate_limited_per_address(client, org_a, monkeypatch):
    monkeypatch.setattr(link, "RATE_LIMIT_POSTS", 2)
    for _ in range(2):
        client.post(_url(org_a), _data(requester_email="not an e-mail"), REMOTE_ADDR="198.51.100.4")
    response = client.post(_url(org_a), _data(), REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 429 and 'data-limit="rate"' in response.content.decode()
    assert not ServiceRequest.objects.exists()
    assert client.post(_url(org_a), _data(), REMOTE_ADDR="198.51.100.5").status_code == 200


def test_the_form_requires_its_csrf_token(org_a):
    browser = HttpClient(enforce_csrf_checks=True)
    response = browser.post(_url(org_a), _data(files=[_file(10)]))
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists() and not RequestAttachment.objects.exists()


# --- the panel -----------------------------------------------------------------------------


def test_the_contacts_screen_shows_the_panel_with_the_link(alice_client, org_a):
    html = alice_client.get(reverse("portal:contacts")).content.decode()
    assert 'id="generic-link"' in html and portal_settings_for(org_a).link_token in html
    assert 'id="generic-link-regenerate"' in html


def test_an_operator_sees_no_regenerate_button_and_gets_403(bob_client, org_a):
    html = bob_client.get(reverse("portal:contacts")).content.decode()
    assert 'id="generic-link"' in html and 'id="generic-link-regenerate"' not in html
    old = portal_settings_for(org_a).link_token
    assert bob_client.get(REGENERATE).status_code == 403
    assert bob_client.post(REGENERATE).status_code == 403
    assert portal_settings_for(org_a).link_token == old


def test_the_regenerate_dialog_asks_first(alice_client, org_a, htmx_headers):
    old = portal_settings_for(org_a).link_token
    response = alice_client.get(REGENERATE, **htmx_headers)
    assert response.status_code == 200 and "<dialog" in response.content.decode()
    assert portal_settings_for(org_a).link_token == old
    response = alice_client.post(REGENERATE, **htmx_headers)
    assert response["HX-Refresh"] == "true"
    assert portal_settings_for(org_a).link_token != old


def _settings(**extra) -> dict:
    return {
        "expires_on": "",
        "max_requests_per_day": "5",
        "max_mb_per_request": "100",
        "max_mb_per_day": "500",
        **extra,
    }


def test_it_saves_the_settings(bob_client, org_a, htmx_headers):
    last_day = (timezone.localdate() + timedelta(days=10)).isoformat()
    data = _settings(expires="on", expires_on=last_day, max_requests_per_day="7")
    response = bob_client.post(SETTINGS, data, **htmx_headers)
    assert response.status_code == 200 and 'id="generic-link"' in response.content.decode()
    assert "<html" not in response.content.decode()
    portal = portal_settings_for(org_a)
    assert portal.link_expires and portal.link_expires_on.isoformat() == last_day
    assert portal.link_max_requests_per_day == 7


def test_it_refuses_bad_settings_without_saving(bob_client, org_a):
    for data in (
        _settings(max_requests_per_day="0"),
        _settings(max_mb_per_day="999999"),
        _settings(max_mb_per_request="600"),
        _settings(expires="on"),
        _settings(max_requests_per_day="abc"),
    ):
        assert bob_client.post(SETTINGS, data).status_code == 422
    assert portal_settings_for(org_a).link_max_requests_per_day == 5


def test_minus_and_plus_move_a_value_within_its_bounds_without_saving(bob_client, org_a):
    response = bob_client.post(SETTINGS, _settings(step="max_requests_per_day:1"))
    assert response.status_code == 200
    assert 'value="6"' in response.content.decode()
    response = bob_client.post(
        SETTINGS, _settings(max_requests_per_day="1", step="max_requests_per_day:-1")
    )
    assert 'name="max_requests_per_day" id="generic-link-max_requests_per_day" value="1"' in (
        response.content.decode()
    )
    assert portal_settings_for(org_a).link_max_requests_per_day == 5


def test_it_emails_the_link_to_the_one_selected_contact(bob_client, org_a, htmx_headers):
    contact = ContactFactory(client=ClientFactory(organization=org_a))
    response = bob_client.post(EMAIL, {"codes": [str(contact.code)]}, **htmx_headers)
    assert response.status_code == 200
    email = AlertEmail.objects.get()
    assert email.recipient == contact.email and email.contact == contact
    assert email.secret.endswith(f"/vinculo/{portal_settings_for(org_a).link_token}/")


def test_it_emails_nobody_unless_exactly_one_contact_is_selected(bob_client, org_a):
    contacts = ContactFactory.create_batch(2, client=ClientFactory(organization=org_a))
    for data in ({}, {"codes": [str(c.code) for c in contacts]}, {"all": "1"}):
        assert bob_client.post(EMAIL, data).status_code == 302
    assert not AlertEmail.objects.exists()


def test_it_checks_ownership(charlie_client, org_a):
    contact = ContactFactory(client=ClientFactory(organization=org_a))
    response = charlie_client.post(EMAIL, {"codes": [str(contact.code)]})
    assert response.status_code == 404
    assert not AlertEmail.objects.exists()


def test_without_javascript_the_panel_and_the_confirmation_are_pages(alice_client, org_a):
    response = alice_client.get(SETTINGS)
    assert response.status_code == 200 and 'id="generic-link"' in response.content.decode()
    response = alice_client.post(SETTINGS, _settings(step="max_mb_per_day:1"))
    assert 'value="550"' in response.content.decode() and "<html" in response.content.decode()
    response = alice_client.post(SETTINGS, _settings(max_requests_per_day="9"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:contacts")
    assert portal_settings_for(org_a).link_max_requests_per_day == 9
    response = alice_client.get(REGENERATE)
    assert response.status_code == 200 and "<dialog" not in response.content.decode()
