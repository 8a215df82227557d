"""The generic link's services: its token, its checks, its limits and its e-mail."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal import generic_link as link
from portal.accounts import LinkRefused
from portal.models import MB, portal_settings_for
from tenancy.models import Membership
from terminals.models import SECRET_MARK, AlertEmail
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _token(organization) -> str:
    return portal_settings_for(organization).link_token


def test_it_gives_each_organization_an_unguessable_token(org_a, org_b):
    token = _token(org_a)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert token != _token(org_b)


def test_it_compares_the_token_in_constant_time(org_a, monkeypatch):
    calls = []

    def spy(a, b):
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(link.hmac, "compare_digest", spy)
    assert link.generic_link_open(organization=org_a, token=_token(org_a))
    assert calls and calls[0][0] == _token(org_a).encode()


def test_it_refuses_an_unknown_and_another_organizations_token(org_a, org_b):
    for token in ("", "x" * 43, _token(org_b), "ção"):
        with pytest.raises(LinkRefused) as refused:
            link.generic_link_open(organization=org_a, token=token)
        assert refused.value.reason == "unknown"


def test_it_refuses_an_expired_link_the_day_after_its_last(org_a):
    portal = portal_settings_for(org_a)
    portal.link_expires = True
    portal.link_expires_on = timezone.localdate()
    portal.save()
    assert link.generic_link_open(organization=org_a, token=portal.link_token)
    portal.link_expires_on = timezone.localdate() - timedelta(days=1)
    portal.save()
    with pytest.raises(LinkRefused) as refused:
        link.generic_link_open(organization=org_a, token=portal.link_token)
    assert refused.value.reason == "expired"


def test_regenerating_refuses_the_old_link_at_once(org_a, alice):
    old = _token(org_a)
    membership = Membership.objects.get(user=alice)
    portal = link.generic_link_regenerate(organization=org_a, actor=membership)
    assert portal.link_token != old and portal.link_regenerated_at
    with pytest.raises(LinkRefused) as refused:
        link.generic_link_open(organization=org_a, token=old)
    assert refused.value.reason == "replaced"
    assert link.generic_link_open(organization=org_a, token=portal.link_token)


def test_only_an_admin_of_the_organization_regenerates(org_a, bob, charlie):
    old = _token(org_a)
    for user in (bob, charlie):
        with pytest.raises(PermissionDenied):
            link.generic_link_regenerate(
                organization=org_a, actor=Membership.objects.get(user=user)
            )
    assert _token(org_a) == old


def test_the_settings_are_validated(org_a):
    values = {
        "expires": False,
        "expires_on": None,
        "max_requests_per_day": 3,
        "max_mb_per_request": 20,
        "max_mb_per_day": 40,
    }
    portal = link.generic_link_update(organization=org_a, **values)
    assert portal.link_max_bytes_per_request == 20 * MB and portal.link_max_bytes_per_day == 40 * MB
    with pytest.raises(ValidationError) as refused:
        link.generic_link_update(organization=org_a, **{**values, "max_mb_per_request": 41})
    assert "max_mb_per_request" in refused.value.message_dict
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        link.generic_link_update(
            organization=org_a, **{**values, "expires": True, "expires_on": yesterday}
        )
    assert "expires_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        link.generic_link_update(organization=org_a, **{**values, "max_requests_per_day": 0})
    assert "max_requests_per_day" in refused.value.message_dict


def test_the_allowance_names_the_limit_and_when_it_resets(org_a):
    portal = portal_settings_for(org_a)
    portal.link_max_bytes_per_request = 2 * MB
    portal.link_max_bytes_per_day = 3 * MB
    portal.save()
    assert link.generic_link_allowance(portal=portal) == 2 * MB
    with pytest.raises(link.LimitReached) as over:
        link.generic_link_allowance(portal=portal, incoming_bytes=2 * MB + 1)
    assert over.value.limit == link.BYTES_PER_REQUEST and over.value.status == 413
    assert over.value.resets_at is None
    midnight = link.next_midnight()
    assert timezone.localtime(midnight).hour == 0 and midnight > timezone.now()
    assert midnight - timezone.now() <= timedelta(days=1, hours=1)


def test_the_rate_limit_counts_posts_per_address(monkeypatch):
    monkeypatch.setattr(link, "RATE_LIMIT_POSTS", 2)
    now = timezone.now()
    link.generic_link_rate_check(address="203.0.113.7", now=now)
    link.generic_link_rate_check(address="203.0.113.7", now=now)
    with pytest.raises(link.LimitReached) as over:
        link.generic_link_rate_check(address="203.0.113.7", now=now)
    assert over.value.limit == link.RATE and over.value.status == 429
    assert over.value.resets_at > now
    link.generic_link_rate_check(address="203.0.113.8", now=now)


def test_it_emails_the_link_in_the_contacts_language(org_a):
    org_a.language = "en"
    org_a.save()
    contact = ContactFactory(client=ClientFactory(organization=org_a, culture="es"))
    portal = portal_settings_for(org_a)
    portal.link_expires, portal.link_expires_on = (
        True,
        timezone.localdate().replace(year=2099, month=12, day=31),
    )
    portal.save()
    url = f"https://vigia.example/portal/org-a/vinculo/{portal.link_token}/"
    email = link.generic_link_email(organization=org_a, contact=contact, url=url)
    assert email.recipient == contact.email and email.contact_id == contact.pk
    assert email.kind == AlertEmail.Kind.MESSAGE
    # The link is kept apart from the history; the date is written as Spanish does.
    assert SECRET_MARK in email.body and email.secret == url
    assert "31/12/2099" in email.body


def test_it_does_not_email_an_expired_link_or_to_a_contact_without_address(org_a, org_b):
    contact = ContactFactory(client=ClientFactory(organization=org_a))
    nobody = ContactFactory(client=contact.client, email="")
    with pytest.raises(ValidationError):
        link.generic_link_email(organization=org_a, contact=nobody, url="https://x/")
    foreign = ContactFactory(client=ClientFactory(organization=org_b))
    with pytest.raises(ValidationError):
        link.generic_link_email(organization=org_a, contact=foreign, url="https://x/")
    portal = portal_settings_for(org_a)
    portal.link_expires, portal.link_expires_on = True, timezone.localdate() - timedelta(days=1)
    portal.save()
    with pytest.raises(ValidationError):
        link.generic_link_email(organization=org_a, contact=contact, url="https://x/")
    assert not AlertEmail.objects.exists()
