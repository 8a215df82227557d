"""Reads of the back office's Contatos screen: the organization's contacts with their
portal status, searched and paged as the clients' list is (clients.selectors)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from clients.search import parse_query, search_filter
from contacts.models import Contact
from portal.models import PortalAccount
from tenancy.models import Organization

PAGE_SIZE = 25
COUNT_CAP = 1_000
ORDERING = ("name", "id")
Status = PortalAccount.Status


def directory_contact_get(*, organization: Organization, code) -> Contact:
    """The organization's contact with this code, with its client and account; 404 when
    missing or foreign."""
    return Contact.objects.select_related("client", "portal_account").get_for_org_or_404(
        organization=organization, code=code
    )


def status_filter(status: str) -> Q:
    """Contacts of one portal status; a contact without an account is Não registrado."""
    if status == Status.NOT_REGISTERED:
        return Q(portal_account__isnull=True) | Q(portal_account__status=status)
    if status in Status.values:
        return Q(portal_account__status=status)
    return Q()


def contact_directory_filter(
    *, organization: Organization, query: str = "", status: str = ""
) -> QuerySet[Contact]:
    """Every contact of the organization matching the search and the status filter, in no
    particular order: what "select all N matching" acts on."""
    return (
        Contact.objects.for_org(organization)
        .filter(search_filter(query))
        .filter(status_filter(status))
        .order_by()
    )


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact]
    count: int  # exact unless count_capped, then COUNT_CAP
    count_capped: bool
    number: int
    num_pages: int
    query: str
    status: str
    terms: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def contact_directory_page(
    *,
    organization: Organization,
    query: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> ContactPage:
    """One page of the Contatos list, with its count capped at COUNT_CAP; two queries
    whatever the size. As on the clients' list: the ids of up to COUNT_CAP + 1 matches
    first (the trigram index finds rare words cheaply); with few matches the page is sorted
    among them, with more the list's order index is walked with a test the trigram index
    cannot answer, so the planner does not sort every match of a common word."""
    status = status if status in Status.values else ""
    matches = contact_directory_filter(organization=organization, query=query, status=status)
    ids = list(matches.values_list("pk", flat=True)[: COUNT_CAP + 1])
    capped = len(ids) > COUNT_CAP
    count = min(len(ids), COUNT_CAP)
    num_pages = max(1, -(-count // per_page))
    number = min(max(1, page), num_pages)
    offset = (number - 1) * per_page
    contacts = Contact.objects.for_org(organization)
    if not capped:
        page_ids = contacts.filter(pk__in=ids).order_by(*ORDERING).values("pk")
    else:
        unindexed = [
            GreaterThan(StrIndex("search_text", Value(term)), 0) for term in parse_query(query)
        ]
        page_ids = (
            contacts.filter(*unindexed).filter(status_filter(status)).order_by(*ORDERING)
        ).values("pk")
    rows = (
        contacts.filter(pk__in=page_ids[offset : offset + per_page])
        .select_related("client", "portal_account")
        .defer("search_text", "notes", "client__search_text", "client__anotacoes")
        .order_by(*ORDERING)
    )
    return ContactPage(
        contacts=list(rows) if ids else [],
        count=count,
        count_capped=capped,
        number=number,
        num_pages=num_pages,
        query=query,
        status=status,
        terms=parse_query(query),
    )
