from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clients import cnpj


@pytest.mark.parametrize(
    "value",
    [
        "11.222.333/0001-81",
        "11222333000181",
        "12.ABC.345/01DE-35",  # the official alphanumeric example
        "12abc34501de35",
        " 12ABC34501DE35 ",
    ],
)
def test_it_accepts_valid_numbers(value):
    assert cnpj.is_valid(value)
    cnpj.validate_cnpj(value)


@pytest.mark.parametrize(
    "value",
    [
        "11.222.333/0001-82",  # wrong check digit
        "12.ABC.345/01DE-36",
        "12ABC34501DE3A",  # check digits must be numeric
        "1122233300018",  # 13 characters
        "112223330001811",
        "00000000000000",  # same digit throughout
        "",
        "12.ABC.345/01DE-3%",
    ],
)
def test_it_refuses_invalid_numbers(value):
    assert not cnpj.is_valid(value)
    with pytest.raises(ValidationError):
        cnpj.validate_cnpj(value)


def test_it_normalizes_and_formats():
    assert cnpj.normalize("12.abc.345/01de-35") == "12ABC34501DE35"
    assert cnpj.format_cnpj("12ABC34501DE35") == "12.ABC.345/01DE-35"
    assert cnpj.format_cnpj("11222333000181") == "11.222.333/0001-81"
    assert cnpj.format_cnpj("123") == "123"


def test_it_computes_check_digits_for_a_base():
    assert cnpj.check_digits("12ABC34501DE") == "35"
    assert cnpj.check_digits("112223330001") == "81"
