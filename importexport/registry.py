"""The entities that have spreadsheet formats, by the name used in URLs and jobs."""

from __future__ import annotations

from django.http import Http404

from importexport.columns import EntityFormat


def formats() -> dict[str, EntityFormat]:
    from clients.resources import CLIENT_FORMAT
    from contacts.resources import CONTACT_FORMAT
    from specialists.resources import SPECIALIST_FORMAT
    from terminals.resources import TERMINAL_FORMAT

    return {
        fmt.name: fmt for fmt in (CLIENT_FORMAT, SPECIALIST_FORMAT, CONTACT_FORMAT, TERMINAL_FORMAT)
    }


def format_get(name: str | None) -> EntityFormat:
    try:
        return formats()[name or ""]
    except KeyError as exc:
        raise Http404 from exc
