"""What the bell shows besides the user's own jobs: news of the whole organization (new
portal requests…). Each app that has some registers a source in its AppConfig.ready(), so
this app names none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from tenancy.models import Organization


@dataclass(frozen=True)
class BellSource:
    # Renders `items` and `count` as list entries of the panel.
    template: str
    # The organization's unread news, newest first.
    unread: Callable[[Organization], QuerySet]


@dataclass(frozen=True)
class BellNews:
    template: str
    items: list
    count: int


_sources: list[BellSource] = []


def bell_source_register(source: BellSource) -> None:
    if source not in _sources:
        _sources.append(source)


def bell_news(*, organization: Organization, limit: int) -> list[BellNews]:
    """Each source's first `limit` items and its count (counted only past the first page)."""
    news = []
    for source in _sources:
        unread = source.unread(organization)
        items = list(unread[:limit])
        count = len(items) if len(items) < limit else unread.count()
        if items:
            news.append(BellNews(template=source.template, items=items, count=count))
    return news
