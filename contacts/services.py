from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from contacts.models import Contact
from contacts.phones import normalize_phone

CONTACT_FIELDS = ("name", "notes", "email", "phone", "auto_dispatch")
INVALID_PHONE = _("Enter a valid phone number with area code, e.g. (11) 91234-5678.")


def contact_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The contacts' row rule, the one every writer applies (services, job import, admin
    import, seed): one spelling of the e-mail (lower case), the phone in E.164, and no
    automatic dispatch without an address. Raises ValidationError on a phone that is not
    a number."""
    prepared = dict(values)
    if "email" in prepared:
        prepared["email"] = (prepared["email"] or "").strip().lower()
    if "phone" in prepared:
        try:
            prepared["phone"] = normalize_phone(prepared["phone"] or "")
        except ValueError:
            raise ValidationError({"phone": INVALID_PHONE}, code="invalid_phone") from None
    if "auto_dispatch" in prepared:
        # Without an address there is nothing to dispatch to.
        prepared["auto_dispatch"] = bool(prepared["auto_dispatch"] and prepared.get("email"))
    return prepared


def _validated(contact: Contact) -> Contact:
    prepared = contact_prepare({name: getattr(contact, name) for name in CONTACT_FIELDS})
    for name, value in prepared.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


def contact_create(*, client: Client, **fields) -> Contact:
    contact = Contact(organization_id=client.organization_id, client=client)
    for name in CONTACT_FIELDS:
        setattr(contact, name, fields.get(name, getattr(contact, name)))
    return _validated(contact)


def contact_update(*, contact: Contact, **fields) -> Contact:
    for name in CONTACT_FIELDS:
        if name in fields:
            setattr(contact, name, fields[name])
    return _validated(contact)


def contact_delete(*, contact: Contact) -> None:
    contact.delete()
