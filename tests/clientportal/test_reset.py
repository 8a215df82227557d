from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from portal.models import ActivationLink, PortalAccount
from terminals.models import AlertEmail
from tests.clientportal.conftest import PORTAL_PASSWORD, portal_client

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Nova-senha-789"


def url(name: str, *args, org: str = "org-a") -> str:
    return reverse(f"clientportal:{name}", args=[org, *args])


def ask(identifier: str, org: str = "org-a"):
    return HttpClient().post(url("reset_request", org=org), {"username": identifier})


def queued_link() -> str:
    email = AlertEmail.objects.get(kind=AlertEmail.Kind.MESSAGE)
    assert email.secret and email.secret not in email.body
    return email.secret


def test_the_reset_flow_end_to_end(contact_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = ask("ANA@padaria.example.com")
    assert response.status_code == 200
    email = AlertEmail.objects.get(kind=AlertEmail.Kind.MESSAGE)
    assert email.recipient == "ana@padaria.example.com"
    assert email.contact_id == contact_account.contact_id
    link = queued_link()
    assert link.startswith("http://testserver" + url("reset_confirm", "x")[:-2])
    old_session = portal_client(contact_account)
    browser = HttpClient()
    assert browser.get(link).status_code == 200
    response = browser.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response["Location"] == url("login")
    contact_account.refresh_from_db()
    assert contact_account.check_password(NEW_PASSWORD)
    # Used once: the link opens nothing any more, and the old password's sessions end.
    assert browser.get(link).status_code == 410
    assert old_session.get(url("home")).status_code == 302
    portal_client(contact_account, password=NEW_PASSWORD)


def test_the_reset_email_speaks_the_persons_language(contact_account, portal_company):
    portal_company.culture = "en"
    portal_company.save(update_fields=["culture"])
    ask("ana@padaria.example.com")
    email = AlertEmail.objects.get(kind=AlertEmail.Kind.MESSAGE)
    assert email.subject == "Choose a new password for the Organização A portal"


def test_an_expired_link_is_refused(contact_account):
    ask("ana@padaria.example.com")
    link = queued_link()
    ActivationLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = HttpClient().post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 410
    contact_account.refresh_from_db()
    assert contact_account.check_password(PORTAL_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_stays(contact_account):
    ask("ana@padaria.example.com")
    link = queued_link()
    response = HttpClient().post(link, {"password": "123", "password_again": "123"})
    assert response.status_code == 422
    assert "password" in response.context["form"].errors
    assert ActivationLink.objects.get().used_at is None


def test_the_page_answers_alike_for_an_unknown_e_mail(contact_account):
    known, unknown = ask("ana@padaria.example.com"), ask("ninguem@example.com")
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        assert "clientportal/reset_sent.html" in [t.name for t in response.templates]
    assert AlertEmail.objects.count() == 1


@pytest.mark.parametrize("status", ["deactivated", "inactive", "not_registered"])
def test_nothing_is_sent_to_an_account_that_cannot_log_in(contact_account, status):
    PortalAccount.objects.filter(pk=contact_account.pk).update(status=status)
    ask("ana@padaria.example.com")
    assert not AlertEmail.objects.exists()


def test_another_organizations_person_gets_nothing_here(foreign_account, org_a):
    ask(foreign_account.login_email)
    assert not AlertEmail.objects.exists()


def test_a_link_works_only_in_its_organizations_portal(contact_account, org_b):
    ask("ana@padaria.example.com")
    token = queued_link().rstrip("/").rsplit("/", 1)[-1]
    assert HttpClient().get(url("reset_confirm", token, org="org-b")).status_code == 404


def test_one_email_per_throttle_period(contact_account):
    ask("ana@padaria.example.com")
    ask("ana@padaria.example.com")
    assert AlertEmail.objects.count() == 1


def test_an_activation_link_is_no_reset_link(contact_account):
    from portal.accounts import token_hash

    PortalAccount.objects.filter(pk=contact_account.pk).update(
        status=PortalAccount.Status.INACTIVE, password=""
    )
    ActivationLink.objects.create(
        account=contact_account,
        token_hash=token_hash("convite"),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert HttpClient().get(url("reset_confirm", "convite")).status_code == 404
