"""The pure parts of the search: normalization, query parsing, highlighting."""

from __future__ import annotations

from clients.search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    client_search_text,
    exact_cnpj,
    exact_email,
    highlight,
    normalize_text,
    parse_query,
)


def test_it_normalizes_accents_and_case():
    assert normalize_text("São JOÃO Açaí Ótica") == "sao joao acai otica"
    assert normalize_text("") == ""


def test_it_builds_the_search_text_from_the_five_fields():
    text = client_search_text(
        cnpj="12.ABC.345/01DE-35",
        razao_social="Comércio São João Ltda",
        nome_fantasia="Pão de Ouro",
        conta="SP-0042",
        email_wvds="CVC@b2midia.com.br",
    )
    for part in ("12abc34501de35", "comercio sao joao ltda", "pao de ouro", "sp0042"):
        assert part in text
    assert "cvc@b2midiacombr" in text
    assert text == text.lower()


def test_it_splits_the_query_into_words():
    assert parse_query("  São   joão ") == ["sao", "joao"]
    assert parse_query("") == []
    assert parse_query("ltda LTDA") == ["ltda"]
    assert parse_query(". / -") == []


def test_it_ignores_the_cnpj_punctuation_on_both_sides():
    assert parse_query("345.678/0001") == ["3456780001"]
    assert parse_query("12.ABC.345") == ["12abc345"]
    assert parse_query("sp-0042") == ["sp0042"]
    text = client_search_text(
        cnpj="12ABC34501DE35", razao_social="", nome_fantasia="", conta="SP-0042", email_wvds=""
    )
    assert "12abc34501de35" in text and "sp0042" in text


def test_it_bounds_a_huge_query():
    assert parse_query("a" * 10_000) == ["a" * MAX_QUERY_LENGTH]
    assert len(parse_query(" ".join(f"w{i}" for i in range(50)))) == MAX_TERMS


def test_it_recognizes_whole_cnpjs_and_emails():
    assert exact_cnpj("12.ABC.345/01DE-35") == "12ABC34501DE35"
    assert exact_cnpj("12.ABC.345") is None
    assert exact_email(" CVC@b2midia.com.br ") == "cvc@b2midia.com.br"
    assert exact_email("cvc@") is None


def test_it_highlights_accent_insensitively():
    html = highlight("Comércio São João", parse_query("sao joao"))
    assert html == "Comércio <mark>São</mark> <mark>João</mark>"


def test_it_highlights_a_cnpj_fragment_across_its_punctuation():
    html = highlight("12.ABC.345/01DE-35", parse_query("abc345"))
    assert html == "12.<mark>ABC.345</mark>/01DE-35"
    html = highlight("12.ABC.345/01DE-35", parse_query("ABC.345/01"))
    assert html == "12.<mark>ABC.345/01</mark>DE-35"
    assert highlight("sp-0042", parse_query("p00")) == "s<mark>p-00</mark>42"


def test_it_escapes_html_while_highlighting():
    html = highlight("<script>alert('x')</script> Loja", parse_query("loja"))
    assert "<script>" not in html
    assert html.startswith("&lt;script&gt;")
    assert html.endswith("<mark>Loja</mark>")
    assert highlight("<b>", []) == "&lt;b&gt;"


def test_it_turns_control_characters_into_spaces():
    assert normalize_text("sao\x00joao\tltda") == "sao joao ltda"
    assert exact_email("a@b.com\x00") is None
