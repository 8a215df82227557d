from __future__ import annotations

from importlib import import_module

from django.apps import apps

from tenancy.models import Membership
from tests.factories import MembershipFactory, SpecialistFactory, UserFactory

migration = import_module("specialists.migrations.0004_specialist_login_memberships")


def test_it_gives_existing_specialist_logins_their_membership(org_a, org_b):
    lost = SpecialistFactory(organization=org_a, user=UserFactory(username="lost@example.com"))
    admin = UserFactory(username="admin@example.com")
    MembershipFactory(organization=org_b, user=admin, role=Membership.Role.ADMIN)
    SpecialistFactory(organization=org_b, user=admin)
    SpecialistFactory(organization=org_a)  # no login, no membership
    migration.add_memberships(apps, None)
    migration.add_memberships(apps, None)  # a second run changes nothing
    assert set(Membership.objects.values_list("organization", "user", "role")) == {
        (org_a.pk, lost.user_id, Membership.Role.OPERATOR),
        (org_b.pk, admin.pk, Membership.Role.ADMIN),
    }
