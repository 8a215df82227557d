"""The one-box client search: how text is normalized, stored and matched.

Everything is normalized in Python (unaccented, lower case) both when a client is written
(`client_search_text`, stored in `Client.search_text`) and when a query is parsed, so the
database only runs a case-sensitive `LIKE '%term%'` per word. That is the same SQL on SQLite
and PostgreSQL, and on PostgreSQL a pg_trgm GIN index on `search_text` answers it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clients import cnpj as cnpj_rules

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Never typed inside a term (terms are split on whitespace), so no match spans two fields.
_FIELD_SEPARATOR = " \u2502 "
_CNPJ_PUNCTUATION = re.compile(r"[./-]")
_ALPHANUMERIC = re.compile(r"^[0-9a-z]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_text(value: str) -> str:
    """Unaccented lower case: "São JOÃO" → "sao joao"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def client_search_text(
    *, cnpj: str, razao_social: str, nome_fantasia: str, conta: str, email_wvds: str
) -> str:
    """The value of `Client.search_text` for these fields.

    Pure, so bulk writers (imports, COPY loaders) compute exactly what the services store.
    """
    fields = (cnpj_rules.normalize(cnpj), razao_social, nome_fantasia, conta, email_wvds)
    return _FIELD_SEPARATOR.join(normalize_text(field) for field in fields)


@dataclass(frozen=True)
class Term:
    """One word of the query; a row matches when its search text contains any variant."""

    variants: tuple[str, ...]

    def q(self) -> Q:
        return reduce(or_, (Q(search_text__contains=variant) for variant in self.variants))


def parse_query(query: str) -> list[Term]:
    """Splits a query into terms. A word with CNPJ punctuation ("12.345", "0001-95") also
    matches without it, since the stored CNPJ has none; the word as typed still matches
    contas and e-mails that carry dots or dashes."""
    terms: list[Term] = []
    for word in normalize_text(query[:MAX_QUERY_LENGTH]).split():
        variants = [word]
        stripped = _CNPJ_PUNCTUATION.sub("", word)
        if stripped != word and _ALPHANUMERIC.match(stripped) and any(c.isdigit() for c in word):
            variants.append(stripped)
        term = Term(variants=tuple(variants))
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def search_filter(query: str) -> Q:
    """Every term must match (AND across words, OR across a word's variants)."""
    terms = parse_query(query)
    return reduce(and_, (term.q() for term in terms)) if terms else Q()


def exact_cnpj(query: str) -> str | None:
    """The normalized CNPJ when the whole query is one valid CNPJ."""
    value = cnpj_rules.normalize(query.strip())
    return value if cnpj_rules.is_valid(value) else None


def exact_email(query: str) -> str | None:
    value = query.strip().lower()
    return value if _EMAIL.match(value) else None


def _normalized_with_positions(text: str, skip: str) -> tuple[str, list[int]]:
    """The normalized text and, for each of its characters, its index in `text`."""
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        if char in skip:
            continue
        for normalized in normalize_text(char):
            chars.append(normalized)
            positions.append(index)
    return "".join(chars), positions


def highlight(text: str, terms: list[Term], *, skip: str = "") -> SafeString:
    """`text` escaped, with every match of `terms` wrapped in <mark>. `skip` lists characters
    the search ignores in this field (the CNPJ's punctuation), so "345678" marks "345.678"."""
    text = str(text or "")
    if not terms or not text:
        return escape(text)
    haystack, positions = _normalized_with_positions(text, skip)
    marked = [False] * len(text)
    for term in terms:
        for variant in term.variants:
            start = haystack.find(variant)
            while start != -1 and variant:
                for index in positions[start : start + len(variant)]:
                    marked[index] = True
                start = haystack.find(variant, start + 1)
    if skip:
        # Punctuation between two marked characters belongs to the match.
        for index in range(1, len(text) - 1):
            if text[index] in skip and marked[index - 1] and marked[index + 1]:
                marked[index] = True
    parts: list[str] = []
    run_start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or marked[index] != marked[run_start]:
            chunk = escape(text[run_start:index])
            parts.append(f"<mark>{chunk}</mark>" if marked[run_start] else chunk)
            run_start = index
    return mark_safe("".join(parts))  # noqa: S308 - every chunk is escaped above
