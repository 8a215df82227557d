from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.http import Http404

from clients.models import Client, ClientFeedback, ClientGroup, Company, Location, Service
from clients.search import exact_cnpj, exact_email, parse_query, search_filter
from tenancy.models import Organization, Project

PAGE_SIZE = 25
# Counting every match of a common word is what makes a search slow; past this many the
# screen says "more than 1,000" (40 pages) and asks for a narrower search instead.
COUNT_CAP = 1_000
ORDERING = ("razao_social", "id")
# The list's "B2B access" filter (Firenze): Todos (""), Com acesso B2B, Sem acesso B2B.
B2B_WITH = "with"
B2B_WITHOUT = "without"


def client_get(*, organization: Organization, code) -> Client:
    """The client of `organization` with this code; 404 when it is missing or foreign."""
    return Client.objects.get_for_org_or_404(organization=organization, code=code)


def has_b2b_user() -> Exists:
    """Whether the client has a B2B user (a portal account of kind "b2b"): a semi-join on the
    accounts' one-B2B-user-per-client index. The accounts are reached through their relation
    to the client: clients cannot import the portal app, which sits above them."""
    accounts = Client._meta.get_field("portal_accounts").related_model
    return Exists(accounts.objects.filter(client=OuterRef("pk"), kind="b2b"))


def _clients(
    *, organization: Organization, project: Project | None, outside: bool = False, b2b: str = ""
) -> QuerySet[Client]:
    """The clients the operator works with: the organization's, only the selected project's
    when there is one; with `outside`, those not in it (association mode); with `b2b`, only
    those with (B2B_WITH) or without (B2B_WITHOUT) a B2B user."""
    clients = Client.objects.for_org(organization)
    clients = clients.outside_project(project) if outside else clients.in_project(project)
    if b2b == B2B_WITH:
        clients = clients.filter(has_b2b_user())
    elif b2b == B2B_WITHOUT:
        clients = clients.filter(~has_b2b_user())
    return clients


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
    *,
    organization: Organization,
    project: Project | None = None,
    query: str = "",
    outside: bool = False,
    b2b: str = "",
) -> QuerySet[Client]:
    """The organization's clients (of `project`, when given; outside it with `outside`)
    matching `query` (every word, in any of CNPJ, razão social, nome fantasia, conta or e-mail
    WVDS; accents, case and "./-" ignored), in list order."""
    clients = _clients(organization=organization, project=project, outside=outside, b2b=b2b)
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
    b2b: str = ""

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
    outside: bool = False,
    b2b: str = "",
) -> ClientPage:
    """One page of `client_search` with its count, capped at COUNT_CAP; a page past the end
    gives the last one. Two queries (three for a whole CNPJ or e-mail), whatever the size.

    The first query collects the ids of up to COUNT_CAP + 1 matches, which the trigram
    index finds cheaply however rare the words. Few matches: the page is sorted among them.
    More: the words are common enough that walking the list's order finds a page quickly
    (on PostgreSQL an index-only walk: the order index carries search_text), so the second
    query walks it, deliberately (the planner, misjudging how common a pair of words is,
    would otherwise sort every match of "sao joao" to show 25). A project narrows every
    query with a semi-join on its association table (an anti-join with `outside`), which
    leaves those plans as they are."""
    clients = _clients(organization=organization, project=project, outside=outside, b2b=b2b)
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
        .annotate(has_b2b=has_b2b_user())
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
        b2b=b2b if b2b in (B2B_WITH, B2B_WITHOUT) else "",
    )


# The organization's lists a client is associated with, by the slug in the URLs.
CATALOGS: dict[str, type] = {
    "companies": Company,
    "groups": ClientGroup,
    "services": Service,
    "locations": Location,
}


def catalog_model(kind: str) -> type:
    try:
        return CATALOGS[kind]
    except KeyError as exc:
        raise Http404 from exc


def catalog_list(*, organization: Organization, kind: str, q: str = "") -> QuerySet:
    qs = catalog_model(kind).objects.for_org(organization)
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs.order_by("name")


def catalog_get(*, organization: Organization, kind: str, code):
    """An entry of one of the organization's lists; 404 when missing, foreign or of an
    unknown kind."""
    return catalog_model(kind).objects.get_for_org_or_404(organization=organization, code=code)


def catalog_associated(*, organization: Organization, kind: str, client: Client) -> QuerySet:
    return catalog_list(organization=organization, kind=kind).filter(clients=client)


def catalog_unassociated(
    *, organization: Organization, kind: str, client: Client, q: str = "", limit: int = 20
) -> QuerySet:
    return catalog_list(organization=organization, kind=kind, q=q).exclude(clients=client)[:limit]


def location_list(*, organization: Organization) -> QuerySet:
    return Location.objects.for_org(organization).order_by("name")


def feedback_list(*, organization: Organization, client: Client) -> QuerySet:
    return (
        ClientFeedback.objects.for_org(organization)
        .filter(client=client)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def place_search(*, organization: Organization, query: str, limit: int = 8) -> list[dict]:
    """Places matching `query` among the organization's locations and its clients'
    addresses that have a point: the map's search when the geocoder cannot be reached."""
    words = query.split()
    if not words:
        return []
    places = []
    located = Q(latitude__isnull=False, longitude__isnull=False)
    for model, label in ((Location, "name"), (Client, "razao_social")):
        qs = model.objects.for_org(organization)
        for word in words:
            qs = qs.filter(
                Q(**{f"{label}__icontains": word})
                | Q(street__icontains=word)
                | Q(city__icontains=word)
                | Q(district__icontains=word)
                | Q(postal_code__icontains=word)
            )
        for row in qs.filter(located).order_by(label)[:limit]:
            places.append(
                {
                    "label": ", ".join(
                        part
                        for part in (
                            getattr(row, label),
                            row.street,
                            row.number,
                            row.city,
                            row.state,
                        )
                        if part
                    ),
                    "lat": float(row.latitude),
                    "lng": float(row.longitude),
                }
            )
    return places[:limit]
