from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from clients.models import Client
from clients.search import Term, exact_cnpj, exact_email, parse_query, search_filter
from tenancy.models import Organization

PAGE_SIZE = 25
# Counting every match of a word found in half a million rows is what makes a search slow;
# past this many the screen says "more than 10,000" instead.
COUNT_CAP = 10_000
ORDERING = ("razao_social", "id")


def client_get(*, organization: Organization, code) -> Client:
    """The client of `organization` with this code; 404 when it is missing or foreign."""
    return Client.objects.get_for_org_or_404(organization=organization, code=code)


def _exact_filter(query: str) -> Q | None:
    number = exact_cnpj(query)
    if number is not None:
        return Q(cnpj=number)
    email = exact_email(query)
    if email is not None:
        return Q(email_wvds=email)
    return None


def client_search(*, organization: Organization, query: str = "") -> QuerySet[Client]:
    """The organization's clients matching `query` (every word, in any of CNPJ, razão social,
    nome fantasia, conta or e-mail WVDS; accents and case ignored), in list order.

    A whole CNPJ or e-mail address looks up that column by its index and keeps only the
    exact matches when there are any (one extra query), as the operator expects from
    typing an account's e-mail."""
    clients = Client.objects.for_org(organization)
    exact = _exact_filter(query)
    if exact is not None:
        exact_matches = clients.filter(exact)
        if exact_matches.exists():
            return exact_matches.order_by(*ORDERING)
    return clients.filter(search_filter(query)).order_by(*ORDERING)


@dataclass(frozen=True)
class ClientPage:
    clients: list[Client]
    count: int  # exact unless count_capped, then COUNT_CAP
    count_capped: bool
    number: int
    num_pages: int
    query: str
    terms: list[Term] = field(default_factory=list)

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


def client_search_page(
    *, organization: Organization, query: str = "", page: int = 1, per_page: int = PAGE_SIZE
) -> ClientPage:
    """One page of `client_search` with its count, capped at COUNT_CAP; a page past the end
    gives the last one. Two queries (three for a whole CNPJ or e-mail), whatever the size."""
    matches = client_search(organization=organization, query=query)
    counted = matches.order_by()[: COUNT_CAP + 1].count()
    capped = counted > COUNT_CAP
    count = min(counted, COUNT_CAP)
    num_pages = max(1, -(-count // per_page))
    number = min(max(1, page), num_pages)
    offset = (number - 1) * per_page
    clients = list(matches.defer("search_text", "anotacoes")[offset : offset + per_page])
    return ClientPage(
        clients=clients,
        count=count,
        count_capped=capped,
        number=number,
        num_pages=num_pages,
        query=query,
        terms=parse_query(query),
    )
