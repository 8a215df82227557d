from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from clients.search import highlight

register = template.Library()


@register.filter
def highlighted(value: str, terms: list[str]) -> SafeString:
    return highlight(value, terms)
