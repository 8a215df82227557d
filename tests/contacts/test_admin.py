"""The Django admin writes contacts itself: the row rule runs there too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _contact(client, **fields) -> dict:
    data = {
        "organization": client.organization_id,
        "client": client.pk,
        "name": "Maria",
        "notes": "",
        "email": "Maria@Cliente.com.br",
        "phone": "(11) 91234-5678",
        "auto_dispatch": "on",
    }
    return {**data, **fields}


def test_the_admin_applies_the_contacts_row_rule(admin_client, org_a):
    client = ClientFactory(organization=org_a)
    response = admin_client.post(reverse("admin:contacts_contact_add"), _contact(client))
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get()
    assert (contact.email, contact.phone) == ("maria@cliente.com.br", "+5511912345678")
    assert contact.search_text.startswith("maria")  # the Contatos search finds it


def test_the_admin_refuses_what_the_row_rule_refuses(admin_client, org_a):
    client = ClientFactory(organization=org_a)
    response = admin_client.post(
        reverse("admin:contacts_contact_add"), _contact(client, phone="123", email="")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Informe um telefone válido com DDD" in body
    assert "O disparo automático precisa de um endereço de e-mail." in body
    assert not Contact.objects.exists()


def test_it_keeps_the_admin_for_staff(charlie_client):
    # The admin is the superusers'; an organization's admin like charlie is sent to its login.
    response = charlie_client.get(reverse("admin:contacts_contact_add"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
