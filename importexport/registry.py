"""The entities that have spreadsheet formats, by the name used in URLs and jobs.

The engine names no app: each app registers its format from its AppConfig.ready(), so the
formats are listed in INSTALLED_APPS order."""

from __future__ import annotations

from django.http import Http404

from importexport.columns import EntityFormat

_FORMATS: dict[str, EntityFormat] = {}


def format_register(fmt: EntityFormat) -> None:
    if _FORMATS.setdefault(fmt.name, fmt) is not fmt:
        raise ValueError(f"Two formats are named {fmt.name!r}.")


def formats() -> dict[str, EntityFormat]:
    return dict(_FORMATS)


def format_get(name: str | None) -> EntityFormat:
    try:
        return _FORMATS[name or ""]
    except KeyError as exc:
        raise Http404 from exc
