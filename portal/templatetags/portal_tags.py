from __future__ import annotations

from django import template

from portal import accounts
from portal.forms import PortalSettingsForm, TermsForm
from portal.models import PortalAccount, portal_settings_for

register = template.Library()


@register.filter
def portal_status(contact) -> PortalAccount.Status:
    return PortalAccount.Status(accounts.account_status(contact))


@register.filter
def portal_actions(contact) -> tuple[str, ...]:
    return accounts.allowed_actions(accounts.account_status(contact))


@register.inclusion_tag("portal/_settings_section.html", takes_context=True)
def portal_settings_section(context) -> dict:
    """The settings page's Portal section (link validity, terms and conditions)."""
    request = context["request"]
    portal = portal_settings_for(request.organization)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "portal": portal,
        "settings_form": PortalSettingsForm(initial={"activation_hours": portal.activation_hours}),
        "terms_form": TermsForm(),
    }
