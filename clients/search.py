"""The one-box client search: how text is normalized, stored and matched.

Everything is normalized in Python (unaccented, lower case, without the CNPJ punctuation
"./-") both when a client is written (`client_search_text`, stored in `Client.search_text`)
and when a query is parsed, so the database only runs a case-sensitive `LIKE '%term%'` per
word. That is the same SQL on SQLite
and PostgreSQL, and on PostgreSQL a pg_trgm GIN index on `search_text` answers it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import reduce
from operator import and_

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clients import cnpj as cnpj_rules

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Never typed inside a term (terms are split on whitespace), so no match spans two fields.
_FIELD_SEPARATOR = " \u2502 "
# Dropped on both sides, so "12.345.678/0001", "12345678/0001" and "123456780001" all find
# the stored CNPJ, and "sp-0042" still finds the conta "SP-0042".
IGNORED = "./-"
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


# Accents (combining marks) vanish and control characters become spaces, in one C-level
# str.translate; the table covers the Basic Multilingual Plane, where every accent of the
# languages Vigia serves lives.
_NORMALIZE_TABLE = {
    code: " " if unicodedata.category(chr(code)) == "Cc" else None
    for code in range(0x10000)
    if unicodedata.combining(chr(code)) or unicodedata.category(chr(code)) == "Cc"
}


def normalize_text(value: str) -> str:
    """Unaccented lower case: "São JOÃO" → "sao joao". Control characters go too: PostgreSQL
    refuses a NUL byte in any text parameter."""
    if not value:
        return ""
    # Most CNPJs, contas and e-mails are plain ASCII: the import calls this per cell.
    if value.isascii() and value.isprintable():
        return value.lower()
    return unicodedata.normalize("NFKD", value).translate(_NORMALIZE_TABLE).lower()


def _searchable(value: str) -> str:
    # Three str.replace calls cost less than one regex substitution; imports call this
    # five times a row.
    return normalize_text(value).replace(".", "").replace("/", "").replace("-", "")


def client_search_text(
    *, cnpj: str, razao_social: str, nome_fantasia: str, conta: str, email_wvds: str
) -> str:
    """The value of `Client.search_text` for these fields.

    Pure, so bulk writers (imports, COPY loaders) compute exactly what the services store.
    """
    fields = (cnpj, razao_social, nome_fantasia, conta, email_wvds)
    return _FIELD_SEPARATOR.join(_searchable(field) for field in fields)


def parse_query(query: str) -> list[str]:
    """The words to find, normalized like the search text, without repeats."""
    terms: list[str] = []
    for word in _searchable(query[:MAX_QUERY_LENGTH]).split():
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def search_filter(query: str, *, field: str = "search_text") -> Q:
    """Every word must be in the search text: one indexed `LIKE '%word%'` each."""
    terms = parse_query(query)
    return reduce(and_, (Q(**{f"{field}__contains": term}) for term in terms), Q())


def exact_cnpj(query: str) -> str | None:
    """The normalized CNPJ when the whole query is one valid CNPJ."""
    value = cnpj_rules.normalize(query.strip())
    return value if cnpj_rules.is_valid(value) else None


def exact_email(query: str) -> str | None:
    value = query.strip().lower()
    return value if _EMAIL.match(value) else None


def _normalized_with_positions(text: str) -> tuple[str, list[int]]:
    """`text` normalized like the search text and, per character, its index in `text`."""
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        for normalized in _searchable(char):
            chars.append(normalized)
            positions.append(index)
    return "".join(chars), positions


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with every match of `terms` wrapped in <mark>; the search ignores
    accents, case and "./-", so "345678" marks "345.678" and "sao" marks "São"."""
    text = str(text or "")
    # Most cells of a page of results match no term: they skip the per-character walk.
    if not terms or not text or not any(term in _searchable(text) for term in terms):
        return escape(text)
    haystack, positions = _normalized_with_positions(text)
    marked = [False] * len(text)
    for term in terms:
        start = haystack.find(term)
        while start != -1:
            for index in positions[start : start + len(term)]:
                marked[index] = True
            start = haystack.find(term, start + 1)
    # Punctuation between two marked characters belongs to the match.
    for index in range(1, len(text) - 1):
        if text[index] in IGNORED and marked[index - 1] and marked[index + 1]:
            marked[index] = True
    parts: list[str] = []
    run_start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or marked[index] != marked[run_start]:
            chunk = escape(text[run_start:index])
            parts.append(f"<mark>{chunk}</mark>" if marked[run_start] else chunk)
            run_start = index
    return mark_safe("".join(parts))  # noqa: S308 - every chunk is escaped above
