from __future__ import annotations

from django import template

from servicerequests.selectors import requests_unseen

register = template.Library()


@register.simple_tag
def unseen_requests_count(organization) -> int:
    """The nav's badge: requests no operator has opened yet (a partial index counts them)."""
    if organization is None:
        return 0
    return requests_unseen(organization=organization).count()
