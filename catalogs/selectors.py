from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalogs.models import Catalog, CatalogDocument
from clients.models import Client
from clients.selectors import client_search
from tenancy.models import Organization

CLIENTS_PAGE_SIZE = 25
CANDIDATES_LIMIT = 10


def catalog_get(*, organization: Organization, code) -> Catalog:
    """The organization's catalog with this code; 404 when it is missing or foreign."""
    return Catalog.objects.get_for_org_or_404(organization=organization, code=code)


def document_get(*, organization: Organization, code) -> CatalogDocument:
    """The organization's catalog document with this code; 404 when missing or foreign."""
    return CatalogDocument.objects.select_related("catalog").get_for_org_or_404(
        organization=organization, code=code
    )


def _count(rows: QuerySet) -> Coalesce:
    # One count per catalog in its own subquery: joining documents and clients together
    # would multiply them (ten documents released to 100,000 clients is a million rows).
    counted = rows.filter(catalog=OuterRef("pk")).order_by().values("catalog")
    return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n")), 0)


def catalog_list(*, organization: Organization) -> QuerySet[Catalog]:
    """The organization's catalogs in their order, with how many documents they hold and
    how many clients they are released to."""
    return (
        Catalog.objects.for_org(organization)
        .annotate(
            document_count=_count(CatalogDocument.objects.all()),
            client_count=_count(Catalog.clients.through.objects.all()),
        )
        .order_by("order", "name", "id")
    )


def catalog_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """(code, name) of the organization's catalogs, in their order: what a client may be
    given."""
    catalogs = Catalog.objects.for_org(organization).order_by("order", "name", "id")
    return [(str(code), name) for code, name in catalogs.values_list("code", "name")]


def catalog_documents(*, catalog: Catalog) -> QuerySet[CatalogDocument]:
    return catalog.documents.order_by("order", "id")


def catalog_clients_page(*, catalog: Catalog, page: int = 1) -> Page:
    """One page of the clients the catalog is released to, in the clients' list order."""
    clients = catalog.clients.order_by("razao_social", "id").defer("search_text", "anotacoes")
    return Paginator(clients, CLIENTS_PAGE_SIZE).get_page(page)


def catalog_client_candidates(
    *, organization: Organization, catalog: Catalog, query: str
) -> list[Client]:
    """The first clients matching `query` (the clients' own search), each marked
    `released` when the catalog is already released to it."""
    if not query:
        return []
    released = Catalog.clients.through.objects.filter(catalog=catalog, client=OuterRef("pk"))
    matches = client_search(organization=organization, query=query)
    return list(
        matches.annotate(released=Exists(released)).defer("search_text", "anotacoes")[
            :CANDIDATES_LIMIT
        ]
    )


def catalogs_for_client(client: Client) -> QuerySet[Catalog]:
    """The catalogs released to `client`, in the organization's order, each with its
    documents (in their order) prefetched: what the client's portal users may see."""
    return (
        Catalog.objects.filter(organization_id=client.organization_id, clients=client)
        .order_by("order", "name", "id")
        .prefetch_related(
            Prefetch("documents", queryset=CatalogDocument.objects.order_by("order", "id"))
        )
    )


def client_catalog_codes(*, client: Client) -> set[str]:
    return {str(code) for code in client.catalogs.values_list("code", flat=True)}
