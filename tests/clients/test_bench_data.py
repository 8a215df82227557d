"""The benchmark's generated clients are valid input: the numbers it reports mean something."""

from __future__ import annotations

from bench.search import COLUMNS, generate, query_mix
from clients import cnpj
from clients.services import client_prepare


def test_it_generates_valid_unique_clients():
    rows = [
        dict(zip(COLUMNS, row, strict=True)) for row in generate(3_000, seed=1, organization_id=7)
    ]
    numbers = [row["cnpj"] for row in rows]
    assert len(set(numbers)) == len(numbers)
    assert all(cnpj.is_valid(number) for number in numbers)
    assert any(not number.isdigit() for number in numbers)  # alphanumeric ones too
    # Written as the app writes them: the row rule changes nothing in a generated row.
    assert all(client_prepare(row) == row for row in rows[:50])


def test_it_takes_the_query_mix_from_the_data():
    mix = query_mix(2_000)
    assert set(mix) >= {"cnpj fragment with punctuation", "exact e-mail", "accent-free name"}
    assert (
        "." in mix["cnpj fragment with punctuation"] or "/" in mix["cnpj fragment with punctuation"]
    )
    assert "@" in mix["exact e-mail"]
