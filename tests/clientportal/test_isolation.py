"""The isolation walk: every portal page, as a person of another client of the same
organization and as one of another organization, finds nothing of the first client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from clientportal import urls as portal_urls
from servicerequests.services import request_submit
from terminals.models import AlertEmail, Episode, Terminal
from tests.clientportal.conftest import portal_client
from tests.factories import CatalogDocumentFactory, CatalogFactory, TerminalFactory

pytestmark = pytest.mark.django_db


def routes(
    patterns=portal_urls.urlpatterns, namespace="clientportal"
) -> Iterator[tuple[str, set[str]]]:
    """(view name, its URL parameters besides the organization) for every portal route,
    those of included apps (the requests) too."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}", set(entry.pattern.converters) - {"org_slug"}


@pytest.fixture
def first_client_data(portal_company, contact_account, media_root):
    organization = portal_company.organization
    terminal = TerminalFactory(
        organization=organization,
        client=portal_company,
        identifier="SEGREDO-TRM",
        name="Tela do Segredo",
        status=Terminal.Status.DISCONNECTED,
        disconnected_since=timezone.now() - timedelta(hours=1),
    )
    episode = Episode.objects.create(
        organization=organization,
        terminal=terminal,
        client=portal_company,
        started_at=timezone.now() - timedelta(hours=1),
    )
    AlertEmail.objects.create(
        organization=organization,
        episode=episode,
        kind=AlertEmail.Kind.DISCONNECTED,
        recipient="segredo@padaria.example.com",
        status=AlertEmail.Status.SENT,
        next_attempt_at=timezone.now(),
    )
    catalog = CatalogFactory(
        organization=organization, name="Catálogo Segredo", clients=[portal_company]
    )
    document = CatalogDocumentFactory(catalog=catalog, title="Documento Segredo")
    service_request = request_submit(
        organization=organization,
        subject="Pedido Segredo",
        description="Texto do segredo",
        files=[SimpleUploadedFile("segredo.pdf", b"%PDF-1.4 segredo")],
        requester_name="Ana Souza",
        requester_email="ana@padaria.example.com",
        client=portal_company,
        account=contact_account,
        contact=contact_account.contact,
    )
    attachment = service_request.attachments.get()
    codes = [
        terminal.code,
        episode.code,
        document.code,
        terminal.device_type.code,
        catalog.code,
        service_request.code,
        attachment.code,
    ]
    pairs = [{"code": service_request.code, "attachment": attachment.code}]
    secrets = ["SEGREDO", "Segredo", "segredo", "Padaria Central", "ana@padaria"]
    return codes, pairs, secrets


def _parameters(params: set[str], codes, pairs) -> list[dict]:
    """Every code of the first client in each parameter, and its real combinations."""
    if not params:
        return [{}]
    found = [dict.fromkeys(params, code) for code in codes]
    return found + [pair for pair in pairs if set(pair) == params]


def _walk(browser, org_slug: str, data) -> list[str]:
    codes, pairs, secrets = data
    visited = []
    for name, params in routes():
        if "token" in params:
            continue  # the reset link: a token, not a row of the client
        for values in _parameters(params, codes, pairs):
            address = reverse(name, kwargs={"org_slug": org_slug, **values})
            response = browser.get(address, follow=True)
            visited.append(address)
            if values:
                sent_to_login = bool(response.redirect_chain) and response.redirect_chain[-1][
                    0
                ].startswith(reverse("clientportal:login", args=[org_slug]))
                assert response.status_code in (404, 405) or sent_to_login, address
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode(errors="replace")
            for secret in secrets:
                assert secret not in text, (address, secret)
    return visited


def test_a_person_of_another_client_finds_nothing(first_client_data, other_account):
    visited = _walk(portal_client(other_account), "org-a", first_client_data)
    assert any("inicio" in address for address in visited)


def test_a_person_of_another_organization_finds_nothing(first_client_data, foreign_account):
    browser = portal_client(foreign_account)
    # In their own portal, with the first client's codes…
    _walk(browser, "org-b", first_client_data)
    # …and in the first organization's, where their session opens nothing.
    _walk(browser, "org-a", first_client_data)


def test_the_walk_sees_the_first_clients_data_as_its_own_person(first_client_data, contact_account):
    # The walk's check is worth something only if the secrets do show to the right person.
    browser = portal_client(contact_account)
    for name in ("home", "alerts", "catalogs", "portal_requests:list"):
        name = name if ":" in name else f"clientportal:{name}"
        body = browser.get(reverse(name, args=["org-a"])).content.decode()
        assert "SEGREDO" in body or "Segredo" in body, name
