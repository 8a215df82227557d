"""Portal people to test with: in organization A, a client with its B2B user and a contact's
account, and a second client with a contact account of its own; in organization B, one more
account. All active, with the password PORTAL_PASSWORD. `portal_client(account)` logs a
person in through the real login page."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from portal.models import PortalAccount
from tests.factories import ClientFactory, ContactFactory

PORTAL_PASSWORD = "Senha-forte-123"


def portal_account_create(
    *, client, kind: str = PortalAccount.Kind.CONTACT, **fields
) -> PortalAccount:
    """An active account of `client`: a contact's (a new contact unless one is given), or
    its B2B user."""
    if kind == PortalAccount.Kind.CONTACT and "contact" not in fields:
        fields["contact"] = ContactFactory(client=client, organization=client.organization)
    account = PortalAccount(
        organization=client.organization,
        kind=kind,
        client=client,
        status=PortalAccount.Status.ACTIVE,
        **fields,
    )
    account.set_password(PORTAL_PASSWORD)
    account.save()
    return account


def portal_client(account: PortalAccount, password: str = PORTAL_PASSWORD) -> HttpClient:
    """A browser logged in to the account's portal through its login page."""
    browser = HttpClient()
    login_url = reverse("clientportal:login", args=[account.organization.slug])
    response = browser.post(
        login_url, {"username": account.username or account.login_email, "password": password}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return browser


@pytest.fixture
def portal_company(org_a):
    return ClientFactory(organization=org_a, razao_social="Padaria Central Ltda")


@pytest.fixture
def other_company(org_a):
    return ClientFactory(organization=org_a, razao_social="Mercado Vizinho Ltda")


@pytest.fixture
def foreign_company(org_b):
    return ClientFactory(organization=org_b, razao_social="Loja Distante Ltda")


@pytest.fixture
def b2b_account(portal_company) -> PortalAccount:
    return portal_account_create(
        client=portal_company,
        kind=PortalAccount.Kind.B2B,
        username="padaria",
        email="b2b@padaria.example.com",
    )


@pytest.fixture
def contact_account(portal_company) -> PortalAccount:
    contact = ContactFactory(
        client=portal_company,
        organization=portal_company.organization,
        name="Ana Souza",
        email="ana@padaria.example.com",
    )
    return portal_account_create(client=portal_company, contact=contact)


@pytest.fixture
def other_account(other_company) -> PortalAccount:
    return portal_account_create(client=other_company)


@pytest.fixture
def foreign_account(foreign_company) -> PortalAccount:
    return portal_account_create(client=foreign_company)


@pytest.fixture
def contact_browser(contact_account) -> HttpClient:
    return portal_client(contact_account)


@pytest.fixture
def b2b_browser(b2b_account) -> HttpClient:
    return portal_client(b2b_account)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def terms_published(org_a, media_root):
    """Organization A publishes terms and conditions (every account must accept them)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal import accounts

    return accounts.terms_upload(
        organization=org_a, upload=SimpleUploadedFile("termos.pdf", b"%PDF-1.4 termos")
    )
