from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contacts import services
from contacts.models import Contact
from contacts.phones import format_phone, normalize_phone
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw",
    ["(11) 91234-5678", "11912345678", "+55 11 91234-5678", "011 91234-5678", "5511912345678",
     "0xx11 91234-5678", "015 11 91234-5678"],
)  # fmt: skip
def test_it_accepts_brazilian_phone_formats(raw):
    assert normalize_phone(raw) == "+5511912345678"
    assert format_phone("+5511912345678") == "(11) 91234-5678"


def test_it_accepts_landlines_and_foreign_numbers():
    assert normalize_phone("(21) 2345-6789") == "+552123456789"
    assert normalize_phone("+1 650 253 0000") == "+16502530000"
    assert normalize_phone("") == ""


@pytest.mark.parametrize("raw", ["123", "(11) 1234", "abc", "+55 00 0000-0000"])
def test_it_rejects_invalid_phones(raw):
    with pytest.raises(ValueError):
        normalize_phone(raw)


def test_it_creates_a_contact_normalized(org_a):
    client = ClientFactory(organization=org_a)
    contact = services.contact_create(
        organization=org_a,
        client=client,
        name="Ana",
        notes="Gerente",
        email=" Ana@Cliente.com.br ",
        phone="(11) 91234-5678",
        auto_dispatch=True,
    )
    assert (contact.email, contact.phone, contact.auto_dispatch) == (
        "ana@cliente.com.br",
        "+5511912345678",
        True,
    )
    assert contact.organization == org_a


def test_automatic_dispatch_needs_an_email(org_a):
    with pytest.raises(ValidationError) as refused:
        services.contact_create(
            organization=org_a,
            client=ClientFactory(organization=org_a),
            name="Sem e-mail",
            auto_dispatch=True,
        )
    assert set(refused.value.message_dict) == {"email"}
    assert not Contact.objects.exists()


def test_it_reports_every_broken_rule_at_once():
    with pytest.raises(ValidationError) as refused:
        services.contact_prepare({"email": " ", "phone": "123", "auto_dispatch": True})
    assert set(refused.value.message_dict) == {"email", "phone"}


def test_it_updates_and_deletes(org_a):
    contact = ContactFactory(client=ClientFactory(organization=org_a), name="Ana")
    services.contact_update(organization=org_a, contact=contact, name="Outro", auto_dispatch=False)
    contact.refresh_from_db()
    assert (contact.name, contact.auto_dispatch) == ("Outro", False)
    email = contact.email
    with pytest.raises(ValidationError):
        services.contact_update(organization=org_a, contact=contact, name="X", email="bad")
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Outro", email)
    services.contact_delete(organization=org_a, contact=contact)
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_it_refuses_another_organizations_rows(org_a, org_b):
    client = ClientFactory(organization=org_a)
    contact = ContactFactory(client=client, name="Ana")
    with pytest.raises(ValidationError):
        services.contact_create(organization=org_b, client=client, name="Intrusa")
    with pytest.raises(ValidationError):
        services.contact_update(organization=org_b, contact=contact, name="Intrusa")
    with pytest.raises(ValidationError):
        services.contact_delete(organization=org_b, contact=contact)
    assert list(Contact.objects.values_list("name", flat=True)) == ["Ana"]
