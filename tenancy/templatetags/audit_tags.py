from __future__ import annotations

from django import template
from django.urls import reverse

from tenancy.history import history_url_name

register = template.Library()


@register.inclusion_tag("tenancy/_history_section.html")
def history_section(record) -> dict:
    """A "History" section for a record's page (or the organization's settings): its entries
    load when it comes into view; without JavaScript its link opens them on a page."""
    if record._meta.label == "tenancy.Organization":
        url = reverse("organization_history")
    else:
        url = reverse(history_url_name(record._meta.label), args=[record.code])
    return {"history_url": url}
