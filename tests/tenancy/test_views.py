from __future__ import annotations

import pytest
from django.urls import reverse

from tenancy.models import Membership, User
from tenancy.selectors import PROJECT_SESSION_KEY
from tests.factories import MembershipFactory, OrganizationFactory, ProjectFactory, UserFactory


def test_it_redirects_anonymous_users_to_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_login_page_in_portuguese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response["Content-Language"] == "pt-br"


def test_it_logs_in_and_shows_the_dashboard(client, bob, org_a):
    response = client.post(
        reverse("login"),
        {"username": "bob", "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.status_code == 200
    assert org_a.name in response.text


def test_it_refuses_a_user_without_organization(client, db):
    client.force_login(UserFactory(username="loner"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403


def test_it_switches_project_inside_the_organization(bob_client, org_a):
    ProjectFactory(organization=org_a, name="A")
    second = ProjectFactory(organization=org_a, name="B")
    response = bob_client.post(reverse("project_switch"), {"project": str(second.code)})
    assert response.status_code == 302
    assert bob_client.session[PROJECT_SESSION_KEY] == str(second.code)
    assert "B" in bob_client.get(reverse("dashboard")).text


def test_it_checks_ownership_of_projects(charlie_client, project_a):
    response = charlie_client.post(reverse("project_switch"), {"project": str(project_a.code)})
    assert response.status_code == 404


def test_it_ignores_a_malformed_project_code(bob_client):
    response = bob_client.post(reverse("project_switch"), {"project": "'; DROP TABLE x;--"})
    assert response.status_code == 404


def test_it_switches_organization_only_to_one_of_the_users(client, org_a, org_b, bob):
    MembershipFactory(organization=org_b, user=bob, role=Membership.Role.OPERATOR)
    client.force_login(bob)
    client.post(reverse("organization_switch"), {"organization": str(org_b.code)})
    assert org_b.name in client.get(reverse("dashboard")).text

    foreign = OrganizationFactory(name="Estranha")
    client.post(reverse("organization_switch"), {"organization": str(foreign.code)})
    assert "Estranha" not in client.get(reverse("dashboard")).text


def test_it_keeps_the_users_language(bob_client, bob):
    response = bob_client.post(reverse("language_switch"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.language == "es"
    assert bob_client.get(reverse("dashboard"))["Content-Language"] == "es"


def test_it_ignores_an_unknown_language(bob_client, bob):
    bob_client.post(reverse("language_switch"), {"language": "xx"})
    assert User.objects.get(pk=bob.pk).language == "pt-br"


@pytest.mark.parametrize("name", ["password_change", "password_reset"])
def test_it_serves_the_account_pages(bob_client, name):
    assert bob_client.get(reverse(name)).status_code == 200


def test_it_lets_an_admin_change_the_organization_settings(alice_client, org_a):
    response = alice_client.post(
        reverse("organization_settings"),
        {
            "name": "Org A",
            "language": "pt-br",
            "alert_grace_minutes": 30,
            "sender_email": "noc@example.com",
            "send_reconnected_email": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    org_a.refresh_from_db()
    assert (org_a.alert_grace_minutes, org_a.send_reconnected_email) == (30, False)


def test_it_refuses_an_out_of_range_grace_period(alice_client, org_a):
    response = alice_client.post(
        reverse("organization_settings"),
        {"name": "Org A", "language": "pt-br", "alert_grace_minutes": 0},
    )
    assert response.status_code == 422
    assert "1.440" in response.text or "1,440" in response.text
    org_a.refresh_from_db()
    assert org_a.alert_grace_minutes == 15


def test_it_keeps_settings_for_admins(bob_client):
    assert bob_client.get(reverse("organization_settings")).status_code == 403
