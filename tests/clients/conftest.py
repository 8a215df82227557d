from __future__ import annotations

import pytest

from tests.factories import SearchableClientFactory


@pytest.fixture
def acme(org_a):
    return SearchableClientFactory(
        organization=org_a,
        cnpj="12ABC34501DE35",
        razao_social="Comércio São João Ltda",
        nome_fantasia="Padaria Pão de Ouro",
        conta="sp-0042",
        email_wvds="cvc@b2midia.com.br",
    )


@pytest.fixture
def acme_b(org_b):
    """Organization B's client with the same CNPJ as A's acme: allowed across tenants."""
    return SearchableClientFactory(
        organization=org_b,
        cnpj="12ABC34501DE35",
        razao_social="Comércio São João Ltda (B)",
        nome_fantasia="Filial B",
        conta="b-0001",
        email_wvds="cvc@b2midia.com.br",
    )
