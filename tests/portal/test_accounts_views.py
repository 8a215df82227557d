"""The Contatos screen and the activation page over HTTP."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from contacts.models import Contact
from portal import accounts
from portal.models import PortalAccount, portal_settings_for
from terminals.models import AlertEmail
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-Battery-9"
LIST = reverse("portal:contacts")


@pytest.fixture
def contact(org_a):
    return ContactFactory(client=ClientFactory(organization=org_a), name="Maria Souza")


def _prepare(client, contact, headers) -> str:
    response = client.post(reverse("portal:invitation", args=[contact.code]), **headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dialog" in html and "mailto:" not in html  # the mailto: comes from a post
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_the_list_shows_status_company_and_terms_in_constant_queries(
    alice_client, org_a, contact, django_assert_max_num_queries
):
    ContactFactory(organization=org_a, client=None, name="Sem Empresa")
    for _ in range(30):
        ContactFactory(client=contact.client)
    with django_assert_max_num_queries(12):
        response = alice_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Maria Souza" in html and contact.client.razao_social in html
    with translation.override("pt-br"):
        assert str(PortalAccount.Status.NOT_REGISTERED.label) in html
    assert "/portal/org-a/" in html


def test_it_searches_and_filters_by_status(alice_client, org_a, contact, htmx_headers):
    ContactFactory(client=contact.client, name="João Lima")
    account = accounts.contact_account(organization=org_a, contact=contact)
    account.status = PortalAccount.Status.ACTIVE
    account.save()
    response = alice_client.get(LIST, {"q": "joao"}, **htmx_headers)
    assert "Lima" in response.content.decode() and "Maria" not in response.content.decode()
    assert "<html" not in response.content.decode()  # the fragment only
    response = alice_client.get(LIST, {"status": "active"}, **htmx_headers)
    assert "Maria" in response.content.decode() and "Lima" not in response.content.decode()
    response = alice_client.get(LIST, {"status": "not_registered"}, **htmx_headers)
    assert "Lima" in response.content.decode() and "Maria" not in response.content.decode()


def test_it_adds_a_contact_without_a_company(alice_client, org_a, htmx_headers):
    data = {"new-name": "Ana Solta", "new-email": "ANA@Example.com", "new-company": ""}
    response = alice_client.post(reverse("portal:contact_add"), data, **htmx_headers)
    assert response.status_code == 200
    contact = Contact.objects.get(organization=org_a)
    assert contact.client is None and contact.email == "ana@example.com"


def test_it_refuses_an_unknown_company(alice_client, org_a, htmx_headers):
    data = {"new-name": "Ana", "new-email": "ana@example.com", "new-company": "11.111.111/0001-11"}
    response = alice_client.post(reverse("portal:contact_add"), data, **htmx_headers)
    assert "No client of this organization" in response.content.decode() or "CNPJ" in (
        response.content.decode()
    )
    assert not Contact.objects.exists()


def test_bulk_delete_asks_naming_the_count_then_deletes(alice_client, org_a, contact, htmx_headers):
    others = [ContactFactory(client=contact.client) for _ in range(2)]
    codes = [str(contact.code), *[str(o.code) for o in others]]
    url = reverse("portal:contacts_delete")
    response = alice_client.post(url, {"codes": codes}, **htmx_headers)
    assert "3" in response.content.decode() and Contact.objects.count() == 3
    response = alice_client.post(url, {"codes": codes, "confirmed": "1"}, **htmx_headers)
    assert response.status_code == 200 and not Contact.objects.exists()


def test_select_all_matching_deletes_the_search_only(alice_client, org_a, contact, htmx_headers):
    ContactFactory(client=contact.client, name="João Lima")
    url = reverse("portal:contacts_delete")
    alice_client.post(url, {"all": "1", "q": "maria", "confirmed": "1"}, **htmx_headers)
    assert list(Contact.objects.values_list("name", flat=True)) == ["João Lima"]


def test_charlie_cannot_delete_or_act_on_organization_a(charlie_client, contact, htmx_headers):
    url = reverse("portal:contacts_delete")
    charlie_client.post(url, {"codes": [str(contact.code)], "confirmed": "1"}, **htmx_headers)
    assert Contact.objects.filter(pk=contact.pk).exists()
    for name in ("portal:invitation", "portal:account_activate", "portal:backup"):
        assert charlie_client.post(reverse(name, args=[contact.code])).status_code in (404, 405)
    assert charlie_client.get(reverse("portal:backup", args=[contact.code])).status_code == 404


def test_the_invitation_dialog_sends_through_the_outbox(alice_client, org_a, contact, htmx_headers):
    token = _prepare(alice_client, contact, htmx_headers)
    response = alice_client.post(
        reverse("portal:invitation_send", args=[contact.code]),
        {"token": token, "note": "Olá!"},
        **htmx_headers,
    )
    assert response.status_code == 200
    email = AlertEmail.objects.get(kind=AlertEmail.Kind.MESSAGE)
    assert email.secret.endswith(f"/portal/org-a/ativar/{token}/") and "Olá!" in email.body
    assert PortalAccount.objects.get().status == PortalAccount.Status.INACTIVE


def test_open_in_my_mail_program_marks_invited_and_redirects_to_mailto(
    alice_client, contact, htmx_headers
):
    token = _prepare(alice_client, contact, htmx_headers)
    response = alice_client.post(
        reverse("portal:invitation_mailto", args=[contact.code]), {"token": token}
    )
    assert response.status_code == 302 and response["Location"].startswith("mailto:")
    assert PortalAccount.objects.get().invited_at is not None
    assert not AlertEmail.objects.exists()


def test_the_status_actions_answer_by_status(alice_client, org_a, contact, htmx_headers):
    response = alice_client.post(reverse("portal:account_deactivate", args=[contact.code]))
    assert response.status_code == 302  # refused with a message, nothing changed
    assert not PortalAccount.objects.exists()


def test_the_backup_downloads_a_zip_named_after_the_person(alice_client, contact):
    response = alice_client.get(reverse("portal:backup", args=[contact.code]))
    assert response.status_code == 200
    assert 'filename="maria-souza.zip"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert "user-profile.json" in zipfile.ZipFile(io.BytesIO(content)).namelist()


def test_the_template_is_a_csv_with_the_headers(alice_client):
    response = alice_client.get(reverse("portal:contacts_template"))
    assert 'filename="users_template.csv"' in response["Content-Disposition"]
    assert (
        response.content.decode("utf-8-sig").splitlines()[0]
        == "Nome;E-mail;Empresa (CNPJ);Telefone"
    )


def test_admins_set_the_link_validity_and_publish_terms(alice_client, bob_client, org_a):
    response = alice_client.post(reverse("portal:settings"), {"activation_hours": "24"})
    assert response.status_code == 302 and portal_settings_for(org_a).activation_hours == 24
    alice_client.post(reverse("portal:settings"), {"activation_hours": "9999"})
    assert portal_settings_for(org_a).activation_hours == 24
    assert bob_client.post(reverse("portal:settings"), {"activation_hours": "1"}).status_code == 403
    pdf = SimpleUploadedFile("t.pdf", b"%PDF-1.4 test", "application/pdf")
    alice_client.post(reverse("portal:terms_upload"), {"terms": pdf})
    assert portal_settings_for(org_a).terms
    response = alice_client.get(reverse("organization_settings"))
    assert 'id="portal"' in response.content.decode()


# --- the portal's side ---------------------------------------------------------------------


def _invited(org_a, contact) -> str:
    invitation = accounts.account_invitation_prepare(
        organization=org_a, contact=contact, actor=None, url_for=lambda token: token
    )
    accounts.account_invitation_send(
        organization=org_a, contact=contact, token=invitation.token, url="x"
    )
    return invitation.token


def test_the_activation_page_sets_the_password(client, org_a, contact):
    token = _invited(org_a, contact)
    url = reverse("portal:activate", args=["org-a", token])
    page = client.get(url)
    assert page.status_code == 200 and "Maria Souza" in page.content.decode()
    checklist = client.post(
        reverse("portal:activate_password_check", args=["org-a", token]), {"password": "abc"}
    )
    assert "password-policy" in checklist.content.decode()
    refused = client.post(url, {"password": "abc", "password_again": "abc"})
    assert refused.status_code == 422
    done = client.post(url, {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 200
    assert PortalAccount.objects.get().status == PortalAccount.Status.ACTIVE
    again = client.get(url)
    assert again.status_code == 410 and "já foi usado" in again.content.decode()


def test_links_never_open_another_organization_or_a_forged_token(client, org_a, org_b, contact):
    token = _invited(org_a, contact)
    assert client.get(reverse("portal:activate", args=["org-b", token])).status_code == 404
    assert client.get(reverse("portal:activate", args=["org-a", "x" * 43])).status_code == 404
    assert client.get(reverse("portal:activate", args=["nope", token])).status_code == 404
    assert (
        client.post(reverse("portal:activate_password_check", args=["org-b", token])).status_code
        == 404
    )


def test_the_onboarding_address_answers(client, org_a):
    response = client.get(reverse("clientportal:login", args=["org-a"]))
    assert response.status_code == 200 and "Organização A" in response.content.decode()


def test_every_dialog_is_a_page_of_its_own_without_javascript(alice_client, org_a, contact):
    page = alice_client.get(reverse("portal:contact_add"))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "<dialog" not in page.content.decode()
    prepared = alice_client.post(reverse("portal:invitation", args=[contact.code]))
    assert "<html" in prepared.content.decode() and "/ativar/" in prepared.content.decode()
    confirm = alice_client.post(reverse("portal:contacts_delete"), {"codes": [str(contact.code)]})
    assert "<html" in confirm.content.decode() and 'name="confirmed"' in confirm.content.decode()
    done = alice_client.post(
        reverse("portal:contacts_delete"), {"codes": [str(contact.code)], "confirmed": "1"}
    )
    assert done.status_code == 302 and not Contact.objects.exists()
    refused = alice_client.post(reverse("portal:contact_add"), {"new-name": "Sem e-mail"})
    assert refused.status_code == 422


def test_a_foreign_or_unknown_code_in_a_selection_changes_nothing(
    alice_client, org_b, contact, htmx_headers
):
    foreign = ContactFactory(client=ClientFactory(organization=org_b))
    url = reverse("portal:contacts_delete")
    codes = [str(contact.code), str(foreign.code)]
    alice_client.post(url, {"codes": codes, "confirmed": "1"}, **htmx_headers)
    alice_client.post(url, {"codes": ["not-a-uuid"], "confirmed": "1"}, **htmx_headers)
    assert Contact.objects.count() == 2
