"""What a portal person may read: every query starts from the organization and, for the
client's data, from the account's client (none → nothing)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from catalogs.models import Catalog, CatalogDocument
from catalogs.selectors import catalogs_for_client
from clients.models import Client
from contacts.models import Contact
from portal.models import PortalAccount
from tenancy.models import Organization
from terminals.models import AlertEmail, DeviceType, Episode, Terminal

EPISODES_PAGE_SIZE = 20
Status = PortalAccount.Status
# When one e-mail names several accounts, the one that can log in answers.
LOGIN_PRECEDENCE = Case(
    When(status=Status.ACTIVE, then=Value(0)),
    When(status=Status.DEACTIVATED, then=Value(1)),
    When(status=Status.INACTIVE, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def account_for_login(*, organization: Organization, identifier: str) -> PortalAccount | None:
    """The organization's account a login form's identifier names: its user name, else its
    e-mail (the B2B user's own, a contact's the contact's), in any case."""
    identifier = identifier.strip()
    if not identifier:
        return None
    accounts = PortalAccount.objects.for_org(organization).select_related(
        "client", "contact", "organization"
    )
    by_name = accounts.filter(username__iexact=identifier).first()
    if by_name is not None:
        return by_name
    by_email = Q(kind=PortalAccount.Kind.B2B, email__iexact=identifier) | Q(
        kind=PortalAccount.Kind.CONTACT, contact__email__iexact=identifier
    )
    return accounts.filter(by_email).order_by(LOGIN_PRECEDENCE, "pk").first()


def contact_without_account_exists(*, organization: Organization, identifier: str) -> bool:
    """Whether the identifier is the e-mail of a contact the portal has no account for."""
    identifier = identifier.strip()
    if not identifier:
        return False
    return (
        Contact.objects.for_org(organization)
        .filter(email__iexact=identifier, portal_account__isnull=True)
        .exists()
    )


def client_terminals(*, organization: Organization, client: Client | None) -> list[Terminal]:
    """The client's terminals, disconnected ones first (longest outage first)."""
    if client is None:
        return []
    return list(
        Terminal.objects.for_org(organization)
        .filter(client=client)
        .select_related("device_type")
        .order_by("disconnected_since", "name", "identifier", "id")
    )


def device_types_of(terminals: list[Terminal]) -> list[DeviceType]:
    """The device types of `terminals`, once each, by name."""
    found = {t.device_type.pk: t.device_type for t in terminals if t.device_type is not None}
    return sorted(found.values(), key=lambda device_type: device_type.name.lower())


def client_terminal_get(*, organization: Organization, client: Client | None, code) -> Terminal:
    """One of the client's terminals; 404 when missing, another client's or foreign."""
    if client is None:
        raise Http404
    return (
        Terminal.objects.filter(client=client)
        .select_related("device_type", "client")
        .get_for_org_or_404(organization=organization, code=code)
    )


def client_episodes_page(
    *, organization: Organization, client: Client | None, page: int = 1
) -> Page:
    """The client's disconnection episodes, newest first, each with the e-mails sent for it."""
    episodes = Episode.objects.none()
    if client is not None:
        emails = AlertEmail.objects.filter(organization=organization).order_by("created_at", "id")
        episodes = (
            Episode.objects.for_org(organization)
            .filter(client=client)
            .select_related("terminal")
            .prefetch_related(Prefetch("emails", queryset=emails))
            .order_by("-started_at", "-id")
        )
    return Paginator(episodes, EPISODES_PAGE_SIZE).get_page(page)


def client_catalogs(*, organization: Organization, client: Client | None) -> QuerySet[Catalog]:
    if client is None or client.organization_id != organization.pk:
        return Catalog.objects.none()
    return catalogs_for_client(client)


def client_document_get(
    *, organization: Organization, client: Client | None, code
) -> CatalogDocument:
    """A document of a catalog released to the client; 404 otherwise."""
    if client is None:
        raise Http404
    return CatalogDocument.objects.get_for_org_or_404(
        organization=organization, code=code, catalog__clients=client
    )
