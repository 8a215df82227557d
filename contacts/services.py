from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clients import search
from clients.models import Client
from contacts.models import Contact
from contacts.phones import normalize_phone
from tenancy.models import Organization
from tenancy.services import ownership_check

CONTACT_FIELDS = ("name", "notes", "email", "phone", "auto_dispatch")
INVALID_PHONE = _("Enter a valid phone number with area code, e.g. (11) 91234-5678.")
DISPATCH_WITHOUT_EMAIL = _("Automatic dispatch needs an e-mail address.")


def contact_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The contacts' row rule, the one every writer applies (services, job import, admin
    import, seed): one spelling of the e-mail (lower case), the phone in E.164, and no
    automatic dispatch without an address. Raises ValidationError, keyed by field, on a
    phone that is not a number or on automatic dispatch asked for without an address."""
    prepared = dict(values)
    errors: dict[str, Any] = {}
    if "email" in prepared:
        prepared["email"] = (prepared["email"] or "").strip().lower()
    if "phone" in prepared:
        try:
            prepared["phone"] = normalize_phone(prepared["phone"] or "")
        except ValueError:
            errors["phone"] = ValidationError(INVALID_PHONE, code="invalid_phone")
    if "name" in prepared:
        prepared["search_text"] = contact_search_text(
            name=prepared["name"] or "", email=prepared.get("email") or ""
        )
    if "auto_dispatch" in prepared:
        prepared["auto_dispatch"] = bool(prepared["auto_dispatch"])
        # Without an address there is nothing to dispatch to; whoever asked for it is told.
        if prepared["auto_dispatch"] and not prepared.get("email"):
            errors["email"] = ValidationError(DISPATCH_WITHOUT_EMAIL, code="dispatch_without_email")
    if errors:
        raise ValidationError(errors)
    return prepared


def contact_search_text(*, name: str, email: str) -> str:
    """The value of `Contact.search_text`: the name and e-mail normalized exactly as the
    clients' search text is (unaccented, lower case, without "./-"), so that
    clients.search.search_filter finds contacts as it finds clients."""
    # One normalization for both lists: a second copy would drift from parse_query's.
    return search._FIELD_SEPARATOR.join((search._searchable(name), search._searchable(email)))


def _save(contact: Contact, fields: dict[str, Any]) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    values = {name: fields.get(name, getattr(contact, name)) for name in CONTACT_FIELDS}
    for name, value in contact_prepare(values).items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


def contact_create(*, organization: Organization, client: Client | None, **fields: Any) -> Contact:
    """Creates a contact of `client`, or of no client (ValidationError on bad input or a
    foreign client)."""
    ownership_check(organization, client)
    return _save(Contact(organization=organization, client=client), fields)


def contact_update(*, organization: Organization, contact: Contact, **fields: Any) -> Contact:
    """Updates `contact` (ValidationError on bad input or a foreign contact)."""
    ownership_check(organization, contact)
    return _save(contact, fields)


def contact_delete(*, organization: Organization, contact: Contact) -> None:
    ownership_check(organization, contact)
    Contact.objects.for_org(organization).filter(pk=contact.pk).delete()
