"""The isolation walk: every portal page, as a person of another client of the same
organization and as one of another organization, finds nothing of the first client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from clientportal import urls as portal_urls
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
    codes = [terminal.code, episode.code, document.code, terminal.device_type.code, catalog.code]
    secrets = ["SEGREDO", "Segredo", "segredo@", "Padaria Central", "ana@padaria"]
    return codes, secrets


def _walk(browser, org_slug: str, codes, secrets) -> list[str]:
    visited = []
    for name, params in routes():
        if "token" in params:
            continue  # the reset link: a token, not a row of the client
        values = codes if params else [None]
        for code in values:
            kwargs = {"org_slug": org_slug}
            if code is not None:
                kwargs.update(dict.fromkeys(params, code))
            address = reverse(name, kwargs=kwargs)
            response = browser.get(address, follow=True)
            visited.append(address)
            if code is not None and params <= {"code"}:
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
    codes, secrets = first_client_data
    visited = _walk(portal_client(other_account), "org-a", codes, secrets)
    assert any("inicio" in address for address in visited)


def test_a_person_of_another_organization_finds_nothing(first_client_data, foreign_account):
    codes, secrets = first_client_data
    browser = portal_client(foreign_account)
    # In their own portal, with the first client's codes…
    _walk(browser, "org-b", codes, secrets)
    # …and in the first organization's, where their session opens nothing.
    _walk(browser, "org-a", codes, secrets)
