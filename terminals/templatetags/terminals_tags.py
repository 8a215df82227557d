from __future__ import annotations

from django import template

from terminals.selectors import terminals_for_client

register = template.Library()


@register.inclusion_tag("terminals/client_terminals.html#section", takes_context=True)
def client_terminals_section(context, client) -> dict:
    """The "Terminal" section of the client edit page, rendered in place (no JS needed)."""
    return {
        "client": client,
        "terminals": terminals_for_client(client=client),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
