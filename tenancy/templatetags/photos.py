from __future__ import annotations

from django import template

from tenancy.media import photo_url as _photo_url

register = template.Library()


@register.filter
def photo_url(stored) -> str:
    """`{{ specialist.photo_thumbnail|photo_url }}`: the organization-checked photo URL."""
    return _photo_url(stored)
