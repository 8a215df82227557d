"""The two-organization world every view test starts from: organization A with an admin
(alice) and an operator (bob), organization B with charlie, who must never see A's data."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import translation

from tenancy.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, ProjectFactory, UserFactory


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language, as each request does behind LocaleMiddleware.
    A request through the test client, or a portal page, leaves its language active in the
    thread; without this, a later test's messages would come out in a language it never chose,
    depending on which file ran before it in the same process."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def cache_down(settings):
    """Call it to make the cache stop answering from then on: a Redis nobody listens to."""

    def down() -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            }
        }

    return down


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Organização A", slug="org-a")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Organização B", slug="org-b")


@pytest.fixture
def project_a(org_a):
    return ProjectFactory(organization=org_a, name="Varejo")


@pytest.fixture
def alice(org_a):
    user = UserFactory(username="alice")
    MembershipFactory(organization=org_a, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def bob(org_a):
    user = UserFactory(username="bob")
    MembershipFactory(organization=org_a, user=user, role=Membership.Role.OPERATOR)
    return user


@pytest.fixture
def charlie(org_b):
    user = UserFactory(username="charlie")
    MembershipFactory(organization=org_b, user=user, role=Membership.Role.ADMIN)
    return user


def _logged_in(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> HttpClient:
    return _logged_in(alice)


@pytest.fixture
def bob_client(bob) -> HttpClient:
    return _logged_in(bob)


@pytest.fixture
def charlie_client(charlie) -> HttpClient:
    return _logged_in(charlie)


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true"}
