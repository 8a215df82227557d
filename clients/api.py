from __future__ import annotations

from uuid import UUID

from ninja import Query, Router, Schema

from clients.search import MAX_QUERY_LENGTH
from clients.selectors import client_search_page

router = Router(tags=["clients"])


class ClientOut(Schema):
    code: UUID
    cnpj: str
    cnpj_formatted: str
    razao_social: str
    nome_fantasia: str
    conta: str
    email_wvds: str
    status: str


class ClientPageOut(Schema):
    count: int
    count_capped: bool
    page: int
    pages: int
    results: list[ClientOut]


@router.get("", response=ClientPageOut, summary="Search the organization's clients")
def client_list(
    request,
    q: str = Query(
        "",
        max_length=MAX_QUERY_LENGTH,
        description="Words to find in CNPJ, "
        "razão social, nome fantasia, conta or e-mail WVDS; accents and case are ignored.",
    ),
    page: int = Query(1, ge=1),
):
    """The same search as the Clients screen, 25 per page. Past 1,000 matches `count` stays
    at 1,000 and `count_capped` is true: narrow the search to see the rest."""
    result = client_search_page(organization=request.organization, query=q, page=page)
    return {
        "count": result.count,
        "count_capped": result.count_capped,
        "page": result.number,
        "pages": result.num_pages,
        "results": result.clients,
    }
