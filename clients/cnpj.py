"""CNPJ: the Brazilian company registry number, numeric or alphanumeric.

Since July 2026 the first twelve characters may be letters or digits; the two check
digits stay numeric. Each character weighs its ASCII code minus 48 ("0" → 0, "A" → 17),
which keeps the old all-digit numbers valid under the same rule.
"""

from __future__ import annotations

import re
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_WEIGHTS_2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_SHAPE = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")
_SPACES = re.compile(r"\s")


def normalize(value: str) -> str:
    """Strips the usual punctuation and spaces and upper-cases; does not validate."""
    # str.replace is several times faster than a regex, and imports normalize every row.
    value = (value or "").replace(".", "").replace("/", "").replace("-", "")
    if not value.isalnum():
        value = _SPACES.sub("", value)
    return value.upper()


def _check_digit(body: str, weights: tuple[int, ...]) -> str:
    # Σ (code − 48) · weight, computed as Σ code · weight − 48 · Σ weight in C-level map():
    # imports validate every row's CNPJ.
    if len(body) != len(weights):
        raise ValueError("a CNPJ body has 12 characters, 13 with the first check digit")
    total = sum(map(mul, body.encode(), weights)) - 48 * sum(weights)
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def check_digits(base: str) -> str:
    """The two check digits for a twelve-character base."""
    first = _check_digit(base, _WEIGHTS_1)
    return first + _check_digit(base + first, _WEIGHTS_2)


def is_valid(value: str) -> bool:
    return is_valid_normalized(normalize(value))


def is_valid_normalized(cnpj: str) -> bool:
    """`is_valid` for a value `normalize` already returned."""
    if not _SHAPE.match(cnpj) or len(set(cnpj)) == 1:
        return False
    return cnpj[12:] == check_digits(cnpj[:12])


def format_cnpj(value: str) -> str:
    """12ABC34501DE35 → 12.ABC.345/01DE-35 (returns the input when it is not 14 long)."""
    cnpj = normalize(value)
    if len(cnpj) != 14:
        return value
    return f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"


def validate_cnpj(value: str) -> None:
    """Django validator: a valid CNPJ, numeric or alphanumeric, with or without punctuation."""
    if not is_valid(value):
        raise ValidationError(
            _("Enter a valid CNPJ (14 characters; the last two are check digits)."),
            code="invalid_cnpj",
        )
