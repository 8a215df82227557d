"""A client's B2B user: the service (portal.b2b), the dialog of the client list, the list's
B2B filter and badge, and the notice e-mail through the alert outbox."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clients.models import Client
from clients.selectors import B2B_WITH, B2B_WITHOUT, client_search_page
from portal import b2b
from portal.models import PortalAccount
from tenancy.models import Language, User
from terminals.models import AlertEmail
from terminals.outbox import alert_emails_deliver
from tests.factories import CatalogFactory, SearchableClientFactory
from tests.terminals.conftest import Mailbox, _free_port

pytestmark = pytest.mark.django_db

PASSWORD = "Firenze#2026"


@pytest.fixture(autouse=True)
def english(alice, bob, charlie):
    """The messages are checked in English, the source language, whatever the catalogs
    translate: the users read English and so does the code outside a request."""
    User.objects.filter(pk__in=[alice.pk, bob.pk, charlie.pk]).update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def client_a(org_a):
    return SearchableClientFactory(
        organization=org_a, cnpj="12345678000195", razao_social="Padaria Estrela Ltda"
    )


def _save(organization, client, **fields) -> PortalAccount:
    values = {"email": "Compras@Estrela.com.br", "password": PASSWORD, **fields}
    return b2b.b2b_user_save(organization=organization, client=client, **values)


# The service


def test_it_creates_an_active_b2b_user_named_after_the_cnpj_root(org_a, client_a):
    summer = CatalogFactory(organization=org_a)
    account = _save(org_a, client_a, catalogs=[summer])
    assert account.kind == PortalAccount.Kind.B2B
    assert account.username == "12345678"
    assert account.email == "compras@estrela.com.br"
    assert account.status == PortalAccount.Status.ACTIVE
    assert account.activated_at is not None
    assert account.check_password(PASSWORD)
    assert PASSWORD not in account.password
    assert list(client_a.catalogs.all()) == [summer]


def test_it_queues_the_notice_without_the_password(org_a, client_a):
    _save(org_a, client_a, login_url="https://vigia.example.com/portal/org-a/")
    email = AlertEmail.objects.get()
    assert email.kind == AlertEmail.Kind.MESSAGE
    assert email.recipient == "compras@estrela.com.br"
    assert "B2B" in email.subject and org_a.name in email.subject
    assert "12345678" in email.body
    assert "https://vigia.example.com/portal/org-a/" in email.body
    assert PASSWORD not in email.body


@pytest.mark.parametrize(("culture", "language"), [("", "es"), ("en", "en")])
def test_the_notice_is_written_in_the_clients_language(
    org_a, client_a, monkeypatch, culture, language
):
    org_a.language = Language.ES
    org_a.save()
    client_a.culture = culture
    client_a.save()
    written_in = []
    render = b2b.render_to_string
    monkeypatch.setattr(
        b2b,
        "render_to_string",
        lambda *args, **kwargs: (
            written_in.append(translation.get_language()) or render(*args, **kwargs)
        ),
    )
    _save(org_a, client_a)
    assert written_in == [language]


def test_the_notice_goes_out_over_smtp_through_the_outbox(org_a, client_a, settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        _save(org_a, client_a)
        email = AlertEmail.objects.get()
        alert_emails_deliver(organization_id=org_a.pk, ids=[email.pk])
        [message] = mailbox.wait_for(1, timeout=10)
    finally:
        controller.stop()
    assert message["To"] == "compras@estrela.com.br"
    assert "12345678" in message.get_body(("plain",)).get_content()
    email.refresh_from_db()
    assert email.status == AlertEmail.Status.SENT


def test_editing_changes_password_and_catalogs_and_sends_no_second_notice(org_a, client_a):
    summer, winter = CatalogFactory(organization=org_a), CatalogFactory(organization=org_a)
    account = _save(org_a, client_a, catalogs=[summer])
    first_hash = account.password
    edited = _save(org_a, client_a, username="someone-else", password="", catalogs=[winter])
    assert edited.pk == account.pk
    assert edited.username == "12345678"  # the login is kept
    assert edited.password == first_hash  # blank keeps the password
    assert list(client_a.catalogs.all()) == [winter]
    _save(org_a, client_a, password="Outra#Senha9", catalogs=[])
    account.refresh_from_db()
    assert account.check_password("Outra#Senha9")
    assert not client_a.catalogs.exists()
    assert AlertEmail.objects.count() == 1


def test_a_deactivated_b2b_user_stays_deactivated_when_edited(org_a, client_a):
    account = _save(org_a, client_a)
    PortalAccount.objects.filter(pk=account.pk).update(status=PortalAccount.Status.DEACTIVATED)
    _save(org_a, client_a, password="Outra#Senha9")
    account.refresh_from_db()
    assert account.status == PortalAccount.Status.DEACTIVATED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "abc12"}, "password", "too short"),
        ({"password": "password"}, "password", "too common"),
        ({"password": "123456"}, "password", "too common"),
        ({"password": ""}, "password", "Enter a password"),
        ({"email": "not-an-email"}, "email", "valid e-mail"),
        ({"email": ""}, "email", "e-mail"),
        ({"username": "com espaço"}, "username", "no spaces"),
        ({"username": "joão"}, "username", "without accents"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(org_a, client_a, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        _save(org_a, client_a, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not PortalAccount.objects.exists()
    assert not AlertEmail.objects.exists()


def test_user_names_are_unique_in_the_organization_in_any_case(org_a, org_b, client_a):
    _save(org_a, client_a, username="Estrela")
    other = SearchableClientFactory(organization=org_a)
    with pytest.raises(ValidationError) as exc:
        _save(org_a, other, username="ESTRELA")
    assert exc.value.message_dict["username"] == [str(b2b.USERNAME_TAKEN)]
    # Another organization may use it.
    _save(org_b, SearchableClientFactory(organization=org_b), username="estrela")


def test_it_refuses_another_organizations_client_or_catalogs(org_a, org_b, client_a):
    foreign_catalog = CatalogFactory(organization=org_b)
    with pytest.raises(ValidationError):
        _save(org_b, client_a)
    with pytest.raises(ValidationError) as exc:
        _save(org_a, client_a, catalogs=[foreign_catalog])
    assert "catalogs" in exc.value.message_dict
    assert not PortalAccount.objects.exists()
    assert not AlertEmail.objects.exists()


# The list's filter and badge


def test_the_list_filters_by_b2b_access_and_marks_the_clients_that_have_it(org_a, client_a):
    without = SearchableClientFactory(organization=org_a, razao_social="Açougue Boi Ltda")
    _save(org_a, client_a)
    everyone = client_search_page(organization=org_a)
    assert {c.razao_social: c.has_b2b for c in everyone.clients} == {
        "Açougue Boi Ltda": False,
        "Padaria Estrela Ltda": True,
    }
    assert [c.pk for c in client_search_page(organization=org_a, b2b=B2B_WITH).clients] == [
        client_a.pk
    ]
    assert [c.pk for c in client_search_page(organization=org_a, b2b=B2B_WITHOUT).clients] == [
        without.pk
    ]
    page = client_search_page(organization=org_a, query="estrela", b2b=B2B_WITHOUT)
    assert page.clients == []
    assert client_search_page(organization=org_a, b2b="nonsense").b2b == ""


def test_the_list_page_keeps_a_constant_number_of_queries(
    alice_client, org_a, django_assert_max_num_queries
):
    for _n in range(30):
        _save(org_a, SearchableClientFactory(organization=org_a), username="")
    with django_assert_max_num_queries(12):
        response = alice_client.get(reverse("clients:list"), {"b2b": B2B_WITH})
    assert response.content.decode().count(">B2B</span>") == 25


def test_the_list_shows_the_filter_the_badge_and_the_actions_menu(
    alice_client, org_a, client_a, htmx_headers
):
    SearchableClientFactory(organization=org_a, razao_social="Açougue Boi Ltda")
    _save(org_a, client_a)
    body = alice_client.get(reverse("clients:list")).content.decode()
    assert 'name="b2b"' in body
    assert reverse("portal:b2b_user", args=[client_a.code]) in body
    fragment = alice_client.get(reverse("clients:list"), {"b2b": "with"}, **htmx_headers)
    text = fragment.content.decode()
    assert "Padaria Estrela" in text and "Açougue Boi" not in text
    assert ">B2B</span>" in text


# The dialog


def test_the_dialog_offers_the_cnpj_root_and_the_catalogs(
    alice_client, org_a, client_a, htmx_headers
):
    CatalogFactory(organization=org_a, name="Coleção Verão")
    url = reverse("portal:b2b_user", args=[client_a.code])
    response = alice_client.get(url, **htmx_headers)
    body = response.content.decode()
    assert body.lstrip().startswith("<dialog")
    assert 'value="12345678"' in body
    assert "Coleção Verão" in body
    # Without JavaScript the same form is a page.
    assert "<html" in alice_client.get(url).content.decode()


def test_an_operator_creates_and_edits_the_b2b_user_in_the_dialog(
    bob_client, org_a, client_a, htmx_headers
):
    summer = CatalogFactory(organization=org_a, name="Verão")
    winter = CatalogFactory(organization=org_a, name="Inverno")
    url = reverse("portal:b2b_user", args=[client_a.code])
    response = bob_client.post(
        url,
        {
            "username": "12345678",
            "email": "compras@estrela.com.br",
            "password": PASSWORD,
            "catalogs": [str(summer.code)],
        },
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "clients:changed" in response.headers["HX-Trigger"]
    account = PortalAccount.objects.get()
    assert list(client_a.catalogs.all()) == [summer]
    body = bob_client.get(url, **htmx_headers).content.decode()
    assert PASSWORD not in body and account.password not in body
    assert "disabled" in body  # the user name is kept
    response = bob_client.post(
        url,
        {"email": "compras@estrela.com.br", "password": "", "catalogs": [str(winter.code)]},
    )
    assert response.status_code == 302
    assert list(client_a.catalogs.all()) == [winter]


def test_the_dialog_refuses_bad_input_with_messages(bob_client, org_a, client_a, htmx_headers):
    url = reverse("portal:b2b_user", args=[client_a.code])
    response = bob_client.post(
        url, {"username": "x y", "email": "nope", "password": "123"}, **htmx_headers
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<form")
    assert "no spaces" in body and "valid e-mail" in body and "too short" in body
    assert 'value="123"' not in body  # a password is never shown back
    assert not PortalAccount.objects.exists()
    response = bob_client.post(url, {"username": "x y", "email": "nope", "password": "123"})
    assert response.status_code == 422


def test_a_foreign_catalog_code_is_refused_with_a_clear_message(bob_client, org_a, org_b, client_a):
    foreign = CatalogFactory(organization=org_b)
    url = reverse("portal:b2b_user", args=[client_a.code])
    response = bob_client.post(
        url,
        {"email": "compras@estrela.com.br", "password": PASSWORD, "catalogs": [str(foreign.code)]},
    )
    assert response.status_code == 422
    assert "do not exist" in response.content.decode()
    assert not PortalAccount.objects.exists()


def test_the_password_checklist_follows_the_typing(bob_client):
    response = bob_client.post(reverse("portal:b2b_password_check"), {"password": "abcdef"})
    assert response.content.decode().count('class="met"') == 1


def test_charlie_gets_404_on_organization_as_b2b_user(charlie_client, org_a, client_a):
    _save(org_a, client_a)
    url = reverse("portal:b2b_user", args=[client_a.code])
    assert charlie_client.get(url).status_code == 404
    response = charlie_client.post(url, {"email": "x@evil.com", "password": "Hijack#2026"})
    assert response.status_code == 404
    account = PortalAccount.objects.get()
    assert account.email == "compras@estrela.com.br"
    assert account.check_password(PASSWORD)


def test_associating_every_match_keeps_the_b2b_filter(bob_client, org_a, project_a, client_a):
    SearchableClientFactory(organization=org_a, razao_social="Açougue Boi Ltda")
    _save(org_a, client_a)
    list_page = bob_client.get(reverse("clients:list"), {"mode": "associate", "b2b": "with"})
    assert 'name="b2b" value="with" form="association-form"' in list_page.content.decode()
    bob_client.post(
        reverse("clients:associate"), {"all": "1", "q": "", "b2b": "with", "confirmed": "1"}
    )
    assert list(Client.objects.for_org(org_a).in_project(project_a)) == [client_a]
