from __future__ import annotations

from clients.models import Client
from contacts.models import Contact
from contacts.phones import normalize_phone

CONTACT_FIELDS = ("name", "notes", "email", "phone", "auto_dispatch")


def _validated(contact: Contact) -> Contact:
    contact.email = (contact.email or "").strip().lower()
    contact.phone = normalize_phone(contact.phone)
    # Without an address there is nothing to dispatch to.
    contact.auto_dispatch = bool(contact.auto_dispatch and contact.email)
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
