"""The entities that have spreadsheet formats, by the name used in URLs and jobs.

The engine names no app: each app registers its format from its AppConfig.ready(), so the
formats are listed in INSTALLED_APPS order."""

from __future__ import annotations

from django.http import Http404

from importexport.columns import EntityFormat

_FORMATS: dict[str, EntityFormat] = {}
# Formats imported from a screen of their own (the Contatos screen's .csv), not offered on
# the Import/Export screen.
_UNLISTED: set[str] = set()
# Formats whose files may also be .csv (importexport.csvfile reads them).
_CSV: set[str] = set()


def format_register(fmt: EntityFormat, *, listed: bool = True, csv: bool = False) -> None:
    if _FORMATS.setdefault(fmt.name, fmt) is not fmt:
        raise ValueError(f"Two formats are named {fmt.name!r}.")
    if not listed:
        _UNLISTED.add(fmt.name)
    if csv:
        _CSV.add(fmt.name)


def format_reads_csv(name: str) -> bool:
    return name in _CSV


def formats() -> dict[str, EntityFormat]:
    """The formats the Import/Export screen offers."""
    return {name: fmt for name, fmt in _FORMATS.items() if name not in _UNLISTED}


def registered_formats() -> dict[str, EntityFormat]:
    """Every format, also those not offered on the Import/Export screen (a job's title)."""
    return dict(_FORMATS)


def format_get(name: str | None, *, organization_id: int | None = None) -> EntityFormat:
    """The format named `name`; with `organization_id`, with that organization's own
    columns (its additional fields), as its jobs read and write them."""
    try:
        fmt = _FORMATS[name or ""]
    except KeyError as exc:
        raise Http404 from exc
    return fmt if organization_id is None else fmt.for_organization(organization_id)
