from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from clients.models import Client
from clients.search import exact_cnpj, exact_email, parse_query, search_filter
from tenancy.models import Organization, Project

PAGE_SIZE = 25
# Counting every match of a common word is what makes a search slow; past this many the
# screen says "more than 1,000" (40 pages) and asks for a narrower search instead.
COUNT_CAP = 1_000
ORDERING = ("razao_social", "id")


def client_get(*, organization: Organization, code) -> Client:
    """The client of `organization` with this code; 404 when it is missing or foreign."""
    return Client.objects.get_for_org_or_404(organization=organization, code=code)


def _clients(*, organization: Organization, project: Project | None) -> QuerySet[Client]:
    """The clients the operator works with: the organization's, only the selected project's
    when there is one."""
    return Client.objects.for_org(organization).in_project(project)


def _exact_condition(clients: QuerySet[Client], query: str) -> Q | None:
    """A whole CNPJ or e-mail address typed: its exact matches, when there are any (one
    indexed lookup), as the operator expects from typing an account's e-mail."""
    number = exact_cnpj(query)
    email = exact_email(query) if number is None else None
    if number is None and email is None:
        return None
    condition = Q(cnpj=number) if number is not None else Q(email_wvds=email)
    if clients.filter(condition).exists():
        return condition
    return None


def client_search(
    *, organization: Organization, project: Project | None = None, query: str = ""
) -> QuerySet[Client]:
    """The organization's clients (of `project`, when given) matching `query` (every word, in
    any of CNPJ, razão social, nome fantasia, conta or e-mail WVDS; accents, case and "./-"
    ignored), in list order."""
    clients = _clients(organization=organization, project=project)
    exact = _exact_condition(clients, query)
    condition = exact if exact is not None else search_filter(query)
    return clients.filter(condition).order_by(*ORDERING)


def _unindexed(query: str) -> list[GreaterThan]:
    """The same test as search_filter, as strpos(search_text, word) > 0: an expression the
    trigram index cannot answer and whose selectivity the planner takes as large, so it
    walks the order index (index-only, no parallel workers) instead of collecting matches."""
    return [GreaterThan(StrIndex("search_text", Value(term)), 0) for term in parse_query(query)]


@dataclass(frozen=True)
class ClientPage:
    clients: list[Client]
    count: int  # exact unless count_capped, then COUNT_CAP
    count_capped: bool
    number: int
    num_pages: int
    query: str
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


def client_search_page(
    *,
    organization: Organization,
    project: Project | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> ClientPage:
    """One page of `client_search` with its count, capped at COUNT_CAP; a page past the end
    gives the last one. Two queries (three for a whole CNPJ or e-mail), whatever the size.

    The first query collects the ids of up to COUNT_CAP + 1 matches, which the trigram
    index finds cheaply however rare the words. Few matches: the page is sorted among them.
    More: the words are common enough that walking the list's order finds a page quickly
    (on PostgreSQL an index-only walk: the order index carries search_text), so the second
    query walks it, deliberately (the planner, misjudging how common a pair of words is,
    would otherwise sort every match of "sao joao" to show 25). A project narrows every
    query with a semi-join on its association table, which leaves those plans as they are."""
    clients = _clients(organization=organization, project=project)
    exact = _exact_condition(clients, query)
    condition = exact if exact is not None else search_filter(query)
    # No ORDER BY: sorting every match of a common word is the cost being avoided.
    matches = clients.filter(condition).order_by()
    ids = list(matches.values_list("pk", flat=True)[: COUNT_CAP + 1])
    capped = len(ids) > COUNT_CAP
    count = min(len(ids), COUNT_CAP)
    num_pages = max(1, -(-count // per_page))
    number = min(max(1, page), num_pages)
    offset = (number - 1) * per_page
    if not capped:
        page_ids = clients.filter(pk__in=ids).order_by(*ORDERING).values("pk")
    else:
        walk = clients.filter(exact) if exact is not None else clients.filter(*_unindexed(query))
        page_ids = walk.order_by(*ORDERING).values("pk")
    rows = (
        clients.filter(pk__in=page_ids[offset : offset + per_page])
        .defer("search_text", "anotacoes")
        .order_by(*ORDERING)
    )
    return ClientPage(
        clients=list(rows) if ids else [],
        count=count,
        count_capped=capped,
        number=number,
        num_pages=num_pages,
        query=query,
        terms=parse_query(query),
    )
