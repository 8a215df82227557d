from __future__ import annotations

import pytest
from django.http import Http404

from clients import selectors
from clients.selectors import client_get, client_search, client_search_page
from tests.factories import ProjectFactory, SearchableClientFactory


def _names(organization, query):
    return [c.razao_social for c in client_search(organization=organization, query=query)]


@pytest.fixture
def others(org_a):
    return [
        SearchableClientFactory(
            organization=org_a,
            cnpj="11222333000181",
            razao_social="Ótica Três Irmãos ME",
            nome_fantasia="Três Irmãos",
            conta="rj-7",
            email_wvds="oticas@wvds.com.br",
        ),
        SearchableClientFactory(
            organization=org_a,
            cnpj="34028316000103",
            razao_social="Auto Posto 100% Ltda",
            nome_fantasia="Posto_Cem",
            conta="bh-12",
            email_wvds="xcvc@b2midia.com.br",
        ),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "12.ABC.345/01DE-35",  # whole, formatted
        "12ABC34501DE35",  # whole, bare
        "12.abc.345",  # part, with punctuation, lower case
        "abc34501",  # part, bare
        "345/01de",  # part across the slash
        "comercio sao joao",  # razão social without accents
        "SÃO JOÃO",
        "pao de ouro",  # nome fantasia
        "sp-0042",  # conta
        "cvc@b2midia.com.br",  # e-mail WVDS, exact
        "b2midia",  # e-mail, part
    ],
)
def test_it_finds_a_client_by_any_field(org_a, acme, others, query):
    assert "Comércio São João Ltda" in _names(org_a, query)


def test_it_requires_every_word(org_a, acme, others):
    assert _names(org_a, "ltda sao") == ["Comércio São João Ltda"]
    assert _names(org_a, "ltda") == ["Auto Posto 100% Ltda", "Comércio São João Ltda"]
    assert _names(org_a, "ltda tres") == []


def test_it_orders_by_razao_social(org_a, acme, others):
    assert _names(org_a, "") == [
        "Auto Posto 100% Ltda",
        "Comércio São João Ltda",
        "Ótica Três Irmãos ME",
    ]


def test_it_prefers_exact_email_matches(org_a, acme, others):
    # "xcvc@b2midia.com.br" contains the address, but the operator typed one account.
    assert _names(org_a, "CVC@b2midia.com.br") == ["Comércio São João Ltda"]
    # A prefix of an address (still a valid address) falls back to the substring search.
    assert _names(org_a, "cvc@b2midia.com") == ["Auto Posto 100% Ltda", "Comércio São João Ltda"]


def test_it_treats_wildcards_and_quotes_literally(org_a, acme, others):
    assert _names(org_a, "100%") == ["Auto Posto 100% Ltda"]
    assert _names(org_a, "%") == ["Auto Posto 100% Ltda"]
    assert _names(org_a, "_") == ["Auto Posto 100% Ltda"]
    assert _names(org_a, "'") == []
    assert _names(org_a, '"; DROP TABLE clients_client; --') == []


def test_it_survives_a_huge_query(org_a, acme):
    assert _names(org_a, "x" * 10_000) == []
    assert _names(org_a, "joao " * 2_000) == ["Comércio São João Ltda"]


def test_it_never_returns_another_organizations_clients(org_a, org_b, acme, acme_b):
    assert _names(org_b, "sao joao") == ["Comércio São João Ltda (B)"]
    assert _names(org_b, "12ABC34501DE35") == ["Comércio São João Ltda (B)"]
    assert _names(org_a, "filial") == []


def test_it_pages_with_a_count(org_a, acme, others):
    page = client_search_page(organization=org_a, query="", page=2, per_page=2)
    assert page.count == 3 and not page.count_capped
    assert page.num_pages == 2 and page.number == 2
    assert [c.razao_social for c in page.clients] == ["Ótica Três Irmãos ME"]
    assert page.has_previous and not page.has_next


def test_it_clamps_the_page_number(org_a, acme):
    assert client_search_page(organization=org_a, page=99).number == 1
    assert client_search_page(organization=org_a, page=-3).number == 1
    empty = client_search_page(organization=org_a, query="nothing-like-this")
    assert empty.count == 0 and empty.clients == [] and empty.num_pages == 1


def test_it_caps_the_count(org_a, acme, others, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    page = client_search_page(organization=org_a, per_page=1)
    assert page.count == 2 and page.count_capped
    assert page.num_pages == 2
    exact = client_search_page(organization=org_a, query="ltda", per_page=1)
    assert exact.count == 2 and not exact.count_capped


def test_it_walks_the_list_order_when_matches_are_many(org_a, acme, others, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    first = client_search_page(organization=org_a, query="LTDA", per_page=1)
    assert first.count_capped and first.num_pages == 1
    assert [c.razao_social for c in first.clients] == ["Auto Posto 100% Ltda"]
    both = client_search_page(organization=org_a, query="ltda b2midia", per_page=1)
    assert [c.razao_social for c in both.clients] == ["Auto Posto 100% Ltda"]
    email = client_search_page(organization=org_a, query="cvc@b2midia.com.br")
    assert [c.razao_social for c in email.clients] == ["Comércio São João Ltda"]


def test_it_keeps_the_terms_for_highlighting(org_a):
    page = client_search_page(organization=org_a, query="São 12.345")
    assert page.terms == ["sao", "12345"]


def test_it_gets_a_client_by_code_inside_the_organization(org_a, org_b, acme):
    assert client_get(organization=org_a, code=acme.code) == acme
    with pytest.raises(Http404):
        client_get(organization=org_b, code=acme.code)
    with pytest.raises(Http404):
        client_get(organization=org_a, code="not-a-uuid")


@pytest.mark.parametrize(
    ("query", "expected"),
    [("sao\x00joao", 1), ("a@b.com\x00", 0), ("\x00", 1), ("99.999\x00", 0)],
)
def test_it_searches_through_control_characters(db, org_a, query, expected):
    # PostgreSQL refuses NUL bytes in parameters: they must never reach the database.
    SearchableClientFactory(organization=org_a, razao_social="São João Ltda")
    assert client_search_page(organization=org_a, query=query).count == expected


def test_it_narrows_every_search_to_the_project(org_a, acme, others):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    oticas = ProjectFactory(organization=org_a, name="Óticas")
    acme.projects.add(varejo)
    otica, posto = others
    otica.projects.add(oticas, varejo)  # in two projects: still listed once
    posto.projects.add(oticas)

    def page(project, query="", **options):
        result = client_search_page(organization=org_a, project=project, query=query, **options)
        return [client.razao_social for client in result.clients], result.count

    assert page(None) == (
        ["Auto Posto 100% Ltda", "Comércio São João Ltda", "Ótica Três Irmãos ME"],
        3,
    )
    assert page(varejo) == (["Comércio São João Ltda", "Ótica Três Irmãos ME"], 2)
    assert page(oticas, "ltda") == (["Auto Posto 100% Ltda"], 1)
    # A whole CNPJ or e-mail of another project's client is no exact match here: the
    # words are searched instead.
    assert page(oticas, "12.ABC.345/01DE-35") == ([], 0)
    assert page(oticas, "cvc@b2midia.com.br") == (["Auto Posto 100% Ltda"], 1)
    names = client_search(organization=org_a, project=oticas, query="")
    assert [c.razao_social for c in names] == ["Auto Posto 100% Ltda", "Ótica Três Irmãos ME"]


def test_it_walks_the_projects_list_past_the_count_cap(org_a, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    inside = SearchableClientFactory.create_batch(5, organization=org_a)
    SearchableClientFactory.create_batch(5, organization=org_a)
    for client in inside:
        client.projects.add(varejo)
    result = client_search_page(organization=org_a, project=varejo, query="ltda", per_page=2)
    assert result.count_capped
    assert [c.pk for c in result.clients] == [c.pk for c in inside[:2]]
