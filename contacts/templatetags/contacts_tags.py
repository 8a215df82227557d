from __future__ import annotations

from django import template

from contacts.forms import ContactForm
from contacts.phones import format_phone
from contacts.selectors import contact_list

register = template.Library()


@register.inclusion_tag("contacts/client_contacts.html#section", takes_context=True)
def client_contacts_section(context, client) -> dict:
    """The "Novo Contato" section of the client edit page, rendered in place (no JS needed)."""
    return {
        "client": client,
        "contacts": contact_list(organization=client.organization, client=client),
        "form": ContactForm(prefix="new"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def phone(value: str) -> str:
    return format_phone(value)
