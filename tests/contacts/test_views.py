from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from contacts.forms import ContactForm
from contacts.models import Contact
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(org_a):
    return ClientFactory(organization=org_a, razao_social="Padaria Pão Quente Ltda")


def _new(**fields) -> dict[str, str]:
    data = {
        "name": "Ana Souza",
        "notes": "",
        "email": "ana@padaria.com.br",
        "phone": "(11) 91234-5678",
    }
    data.update(fields)
    return {f"new-{key}": value for key, value in data.items()}


def test_the_section_shows_the_form_with_the_warning(bob_client, client_a):
    ContactFactory(client=client_a, name="Bruno", phone="+5511912345678")
    page = bob_client.get(reverse("contacts:client_section", args=[client_a.code])).text
    assert "Novo Contato" in page and "Disparo Automático" in page and "Salvar" in page
    assert (
        "Verifique qual email será configurado o disparo automático, antes de ativar a opção."
        in page
    )
    assert "Bruno" in page and "(11) 91234-5678" in page


def test_it_creates_a_contact_with_htmx(bob_client, client_a, htmx_headers):
    response = bob_client.post(
        reverse("contacts:create", args=[client_a.code]), _new(auto_dispatch="on"), **htmx_headers
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="client-contacts">')
    assert "Contato Ana Souza salvo." in response.text  # the toast, out of band
    contact = Contact.objects.get()
    assert (contact.client, contact.phone, contact.auto_dispatch) == (
        client_a,
        "+5511912345678",
        True,
    )


def test_it_creates_a_contact_without_javascript(bob_client, client_a):
    response = bob_client.post(
        reverse("contacts:create", args=[client_a.code]), {**_new(), "next": "/clientes/x/editar/"}
    )
    assert response.status_code == 302 and response["Location"] == "/clientes/x/editar/"
    assert Contact.objects.get().auto_dispatch is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Este campo é obrigatório."),
        ({"phone": "123"}, "Informe um telefone válido com DDD"),
        ({"email": "ana@"}, "Informe um endereço de email válido."),
        (
            {"email": "", "auto_dispatch": "on"},
            "O disparo automático precisa de um endereço de e-mail.",
        ),
    ],
)
def test_it_refuses_bad_input(bob_client, client_a, htmx_headers, fields, message):
    url = reverse("contacts:create", args=[client_a.code])
    response = bob_client.post(url, _new(**fields), **htmx_headers)
    assert message in response.text
    assert "open" in response.text  # the form stays open with its messages
    assert not Contact.objects.exists()
    plain = bob_client.post(url, _new(**fields))
    assert plain.status_code == 422 and message in plain.text
    assert not Contact.objects.exists()


def test_the_form_leaves_the_rules_to_the_service():
    # One home for each rule: the form takes what was typed, contact_prepare judges it.
    form = ContactForm({"name": "Ana", "email": "Ana@X.com.br", "phone": "123"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["email"], form.cleaned_data["phone"]) == ("Ana@X.com.br", "123")


def test_it_refuses_a_bad_edit_without_javascript(bob_client, client_a):
    contact = ContactFactory(client=client_a, name="Ana", phone="+5511912345678")
    response = bob_client.post(
        reverse("contacts:update", args=[contact.code]),
        {"edit-name": "Ana Maria", "edit-email": contact.email, "edit-phone": "12"},
    )
    assert response.status_code == 422
    assert "Informe um telefone válido com DDD" in response.text
    contact.refresh_from_db()
    assert (contact.name, contact.phone) == ("Ana", "+5511912345678")


def test_it_edits_a_contact_in_place(bob_client, client_a, htmx_headers):
    contact = ContactFactory(client=client_a, name="Ana", auto_dispatch=True)
    form = bob_client.get(reverse("contacts:edit", args=[contact.code]), **htmx_headers).text
    assert 'name="edit-name"' in form and 'value="Ana"' in form

    response = bob_client.post(
        reverse("contacts:update", args=[contact.code]),
        {"edit-name": "Ana Maria", "edit-email": contact.email, "edit-phone": "21 2345-6789"},
        **htmx_headers,
    )
    assert 'name="edit-name"' not in response.text and "Ana Maria" in response.text
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.auto_dispatch) == (
        "Ana Maria",
        "+552123456789",
        False,
    )


def test_the_edit_link_works_without_javascript(bob_client, client_a):
    contact = ContactFactory(client=client_a)
    response = bob_client.get(reverse("contacts:edit", args=[contact.code]), follow=True)
    assert 'name="edit-name"' in response.text


def test_it_keeps_the_contact_when_the_edit_is_bad(bob_client, client_a, htmx_headers):
    contact = ContactFactory(client=client_a, name="Ana")
    response = bob_client.post(
        reverse("contacts:update", args=[contact.code]),
        {"edit-name": "", "edit-email": "x@y.com.br", "edit-phone": ""},
        **htmx_headers,
    )
    assert "Este campo é obrigatório." in response.text
    contact.refresh_from_db()
    assert contact.name == "Ana"


def test_it_deletes_a_contact(bob_client, client_a, htmx_headers):
    contact = ContactFactory(client=client_a)
    response = bob_client.post(reverse("contacts:delete", args=[contact.code]), **htmx_headers)
    assert response.status_code == 200
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_the_include_renders_the_section_in_the_client_page(rf, bob, client_a):
    ContactFactory(client=client_a, name="Carla")
    request = rf.get("/clientes/x/editar/")
    request.user = bob
    html = render_to_string("contacts/_client_contacts.html", {"client": client_a}, request=request)
    assert 'id="client-contacts"' in html and "Carla" in html
    assert 'value="/clientes/x/editar/"' in html


def test_the_section_issues_a_constant_number_of_queries(
    bob_client, client_a, django_assert_max_num_queries
):
    for _ in range(20):
        ContactFactory(client=client_a)
    with django_assert_max_num_queries(10):
        bob_client.get(reverse("contacts:client_section", args=[client_a.code]))


def test_it_checks_ownership(charlie_client, client_a):
    contact = ContactFactory(client=client_a)
    assert (
        charlie_client.get(reverse("contacts:client_section", args=[client_a.code])).status_code
        == 404
    )
    assert charlie_client.get(reverse("contacts:edit", args=[contact.code])).status_code == 404
    assert (
        charlie_client.post(reverse("contacts:create", args=[client_a.code]), _new()).status_code
        == 404
    )
    assert (
        charlie_client.post(
            reverse("contacts:update", args=[contact.code]), {"edit-name": "x"}
        ).status_code
        == 404
    )
    assert charlie_client.post(reverse("contacts:delete", args=[contact.code])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk, name=contact.name).exists()
    assert Contact.objects.count() == 1


def test_a_contact_without_a_client_is_not_found_in_a_client_section(alice_client, org_a):
    loose = ContactFactory(organization=org_a, client=None)
    for name in ("contacts:edit", "contacts:update", "contacts:delete"):
        url = reverse(name, args=[loose.code])
        response = alice_client.post(url) if name != "contacts:edit" else alice_client.get(url)
        assert response.status_code == 404
