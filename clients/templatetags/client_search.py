from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from clients.search import Term, highlight

register = template.Library()


@register.filter
def highlighted(value: str, terms: list[Term]) -> SafeString:
    return highlight(value, terms)


@register.filter
def highlighted_cnpj(value: str, terms: list[Term]) -> SafeString:
    # The formatted CNPJ's punctuation is not in the search text, so matches skip it.
    return highlight(value, terms, skip="./-")
