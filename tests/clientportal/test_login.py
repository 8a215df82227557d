from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from clientportal import auth
from portal.models import PortalAccount
from tests.clientportal.conftest import PORTAL_PASSWORD, portal_client
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _login_url(account_or_org) -> str:
    organization = getattr(account_or_org, "organization", account_or_org)
    return reverse("clientportal:login", args=[organization.slug])


def _post(browser, url, username, password=PORTAL_PASSWORD):
    return browser.post(url, {"username": username, "password": password})


def test_it_shows_the_organization_name(org_a):
    response = HttpClient().get(_login_url(org_a))
    assert response.status_code == 200
    assert "Organização A" in response.content.decode()


def test_it_answers_404_for_an_unknown_organization(db):
    assert HttpClient().get("/portal/nenhuma/").status_code == 404


@pytest.mark.parametrize("field", ["username", "email"])
def test_it_logs_in_with_a_user_name_or_an_e_mail(b2b_account, field):
    browser = HttpClient()
    identifier = getattr(b2b_account, field).upper()
    response = _post(browser, _login_url(b2b_account), identifier)
    assert response.status_code == 302
    assert response["Location"] == reverse("clientportal:home", args=["org-a"])
    assert browser.session[auth.ACCOUNT_KEY] == b2b_account.pk
    b2b_account.refresh_from_db()
    assert b2b_account.last_login_at is not None


def test_it_logs_a_contact_in_with_the_contacts_e_mail(contact_account):
    response = _post(HttpClient(), _login_url(contact_account), "ana@padaria.example.com")
    assert response.status_code == 302


def test_it_goes_to_the_asked_page_after_the_login(contact_account):
    url = reverse("clientportal:alerts", args=["org-a"])
    response = HttpClient().post(
        _login_url(contact_account),
        {"username": "ana@padaria.example.com", "password": PORTAL_PASSWORD, "next": url},
    )
    assert response["Location"] == url


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "/clientes/", "/portal/org-b/inicio/"]
)
def test_it_never_follows_a_next_outside_the_portal(contact_account, target):
    response = HttpClient().post(
        _login_url(contact_account),
        {"username": "ana@padaria.example.com", "password": PORTAL_PASSWORD, "next": target},
    )
    assert response["Location"] == reverse("clientportal:home", args=["org-a"])


def test_it_refuses_a_wrong_password(contact_account):
    browser = HttpClient()
    response = _post(browser, _login_url(contact_account), "ana@padaria.example.com", "errada-123")
    assert response.status_code == 422
    assert auth.ACCOUNT_KEY not in browser.session
    assert response.context["form"].non_field_errors() == [
        str(auth_refusal(auth.WRONG, contact_account))
    ]


def auth_refusal(code, account):
    from clientportal.views import REFUSALS

    return str(REFUSALS[code]) % {"organization": account.organization.name}


def test_it_tells_a_deactivated_person(contact_account):
    PortalAccount.objects.filter(pk=contact_account.pk).update(
        status=PortalAccount.Status.DEACTIVATED
    )
    response = _post(HttpClient(), _login_url(contact_account), "ana@padaria.example.com")
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        auth_refusal(auth.DEACTIVATED, contact_account)
    ]


def test_it_tells_a_deactivated_person_nothing_without_the_password(contact_account):
    PortalAccount.objects.filter(pk=contact_account.pk).update(
        status=PortalAccount.Status.DEACTIVATED
    )
    response = _post(HttpClient(), _login_url(contact_account), "ana@padaria.example.com", "x")
    assert response.context["form"].non_field_errors() == [
        auth_refusal(auth.WRONG, contact_account)
    ]


@pytest.mark.parametrize("status", ["not_registered", "inactive"])
def test_it_tells_a_person_not_registered(contact_account, status):
    PortalAccount.objects.filter(pk=contact_account.pk).update(status=status, password="")
    response = _post(HttpClient(), _login_url(contact_account), "ana@padaria.example.com")
    assert response.context["form"].non_field_errors() == [
        auth_refusal(auth.NOT_REGISTERED, contact_account)
    ]


def test_it_tells_a_contact_without_an_account_that_they_are_not_registered(portal_company):
    ContactFactory(client=portal_company, organization=portal_company.organization, email="z@x.com")
    response = _post(HttpClient(), _login_url(portal_company), "z@x.com")
    assert response.context["form"].non_field_errors() == [
        auth_refusal(auth.NOT_REGISTERED, portal_company)
    ]


def test_it_refuses_another_organizations_account(foreign_account, org_a):
    response = _post(HttpClient(), _login_url(org_a), foreign_account.login_email)
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        auth_refusal(auth.WRONG, foreign_account).replace("Organização B", "Organização A")
    ]


def test_it_refuses_a_back_office_user(alice, org_a):
    alice.set_password(PORTAL_PASSWORD)
    alice.save()
    response = _post(HttpClient(), _login_url(org_a), "alice")
    assert response.status_code == 422


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_out_after_the_back_offices_failure_limit(contact_account):
    browser = HttpClient()
    url = _login_url(contact_account)
    for _attempt in range(3):
        _post(browser, url, "ana@padaria.example.com", "errada-123")
    # Locked now: even the right password is refused, on the portal's own page.
    response = _post(browser, url, "ANA@padaria.example.com")
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [
        auth_refusal(auth.LOCKED, contact_account)
    ]
    assert auth.ACCOUNT_KEY not in browser.session
    assert AccessAttempt.objects.filter(username__startswith="portal:").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_forgets_the_failures_after_a_login(contact_account):
    url = _login_url(contact_account)
    browser = HttpClient()
    for _attempt in range(2):
        _post(browser, url, "ana@padaria.example.com", "errada-123")
    assert _post(browser, url, "ana@padaria.example.com").status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_login_page_sends_a_logged_in_person_home(contact_browser):
    response = contact_browser.get("/portal/org-a/")
    assert response.status_code == 302


def test_logout_ends_the_session(contact_browser):
    response = contact_browser.post(reverse("clientportal:logout", args=["org-a"]))
    assert response.status_code == 302
    assert contact_browser.get(reverse("clientportal:home", args=["org-a"])).status_code == 302


def test_portal_client_helper_logs_in(contact_account):
    browser = portal_client(contact_account)
    assert browser.get(reverse("clientportal:home", args=["org-a"])).status_code == 200


def test_a_portal_login_ends_a_back_office_session_in_the_same_browser(alice, contact_account):
    browser = HttpClient()
    browser.force_login(alice)
    _post(browser, _login_url(contact_account), "ana@padaria.example.com")
    assert "_auth_user_id" not in browser.session
    assert browser.get("/clientes/").status_code == 302
