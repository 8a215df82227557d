from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from terminals.figures import availability_summary
from terminals.forms import MaintenanceForm
from terminals.selectors import maintenance_current, terminals_for_client

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


@register.inclusion_tag("terminals/_client_availability.html", takes_context=True)
def client_availability(context, client) -> dict:
    """A client's availability over 24 h / 7 d / 30 d and its maintenance windows, with the
    form that starts one; for any page about the client."""
    return {
        "client": client,
        "availability": availability_summary(organization=client.organization, client=client),
        "maintenance_windows": maintenance_current(organization=client.organization, client=client),
        "maintenance_form": MaintenanceForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent(ratio: float | None) -> str:
    """An availability as the operators read it: 99.95 %, in the active language's format."""
    if ratio is None:
        return "—"
    return f"{formats.number_format(ratio * 100, 2, use_l10n=True, force_grouping=True)} %"


@register.filter
def availability_level(ratio: float | None) -> str:
    if ratio is None:
        return "none"
    if ratio >= 0.995:
        return "ok"
    return "warn" if ratio >= 0.95 else "danger"


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in its two largest units: "3 d 4 h", "2 h 5 min", "40 s"."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min") % {"m": minutes}
    return _("%(s)s s") % {"s": seconds}


@register.simple_tag
def since_now(moment) -> timedelta:
    return timezone.now() - moment


@register.filter
def meter(ratio: float | None) -> str:
    # An SVG coordinate, so never localized (no decimal comma).
    return f"{(ratio or 0) * 100:.2f}"


@register.filter
def any_running(windows) -> bool:
    return any(window.running for window in windows)
