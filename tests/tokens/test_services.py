from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import SpecialistFactory
from tokens.models import IntegrationToken
from tokens.services import (
    _hash,
    expiry_from_date,
    token_authenticate,
    token_create,
    token_revoke,
)


@pytest.fixture
def specialist(org_a):
    return SpecialistFactory(organization=org_a)


def _issue(specialist, days: int = 30):
    return token_create(
        organization=specialist.organization,
        specialist=specialist,
        description="ERP",
        expires_at=timezone.now() + timedelta(days=days),
    )


def test_it_stores_only_a_hash(specialist):
    issued = _issue(specialist)
    row = IntegrationToken.objects.get()
    assert issued.secret.startswith(f"vg_{row.prefix}_")
    assert row.token_hash == _hash(issued.secret)
    stored = [str(v) for v in IntegrationToken.objects.values_list(flat=False).get()]
    assert not any(issued.secret in value for value in stored)


def test_it_authenticates_a_live_token(specialist):
    issued = _issue(specialist)
    assert token_authenticate(issued.secret) == issued.token


@pytest.mark.parametrize("raw", ["", "vg", "vg_x", "xx_abc_def", "vg_abcdefgh_wrong", "Bearer x"])
def test_it_refuses_malformed_and_unknown_tokens(specialist, raw):
    _issue(specialist)
    assert token_authenticate(raw) is None


def test_it_refuses_an_expired_token(specialist):
    issued = _issue(specialist)
    IntegrationToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(issued.secret) is None


def test_it_refuses_a_revoked_token(org_a, specialist):
    issued = _issue(specialist)
    token_revoke(organization=org_a, token=issued.token)
    assert token_authenticate(issued.secret) is None
    assert not IntegrationToken.objects.exists()


def test_it_refuses_to_revoke_another_organizations_token(org_b, specialist):
    issued = _issue(specialist)
    with pytest.raises(ValidationError):
        token_revoke(organization=org_b, token=issued.token)
    assert IntegrationToken.objects.exists()


def test_it_refuses_an_expiry_in_the_past(specialist):
    with pytest.raises(ValidationError) as exc:
        _issue(specialist, days=-1)
    assert "expires_at" in exc.value.message_dict
    assert not IntegrationToken.objects.exists()


def test_it_refuses_a_foreign_specialist(org_b, specialist):
    with pytest.raises(ValidationError):
        token_create(
            organization=org_b,
            specialist=specialist,
            description="x",
            expires_at=timezone.now() + timedelta(days=1),
        )
    assert not IntegrationToken.objects.exists()


def test_it_needs_the_organization_it_acts_in(specialist):
    with pytest.raises(TypeError):
        token_create(
            specialist=specialist, description="x", expires_at=timezone.now() + timedelta(days=1)
        )
    assert not IntegrationToken.objects.exists()


def test_it_writes_last_used_at_most_once_a_minute(specialist, django_assert_num_queries):
    issued = _issue(specialist)
    with django_assert_num_queries(2):  # read + first use
        token_authenticate(issued.secret)
    with django_assert_num_queries(1):  # read only
        token_authenticate(issued.secret)


def test_it_keeps_a_token_valid_through_its_expiry_day():
    expires = expiry_from_date(date(2026, 12, 31))
    local = timezone.localtime(expires)
    assert (local.date(), local.hour, local.minute) == (date(2026, 12, 31), 23, 59)
