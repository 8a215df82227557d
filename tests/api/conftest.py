from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import SpecialistFactory
from tokens.services import token_create


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    cache.clear()


@pytest.fixture
def api_specialist(org_a):
    return SpecialistFactory(organization=org_a, name="Integração ERP", email="erp@example.com")


@pytest.fixture
def api_token(org_a, api_specialist) -> str:
    return token_create(
        organization=org_a,
        specialist=api_specialist,
        description="ERP",
        expires_at=timezone.now() + timedelta(days=30),
    ).secret


@pytest.fixture
def auth(api_token) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}
