"""The export engine: records out, one .xlsx per 7,000 records, zipped.

The parent process walks the table by primary key to find where each file starts (keyset
pagination, no OFFSET over the whole table) and hands the ranges to a small process pool:
the files are independent, so both cores write at once. Each worker fetches its slice and
streams it into its own .xlsx; the parent adds finished files to the zip in order, so
memory does not grow with the number of records."""

from __future__ import annotations

import multiprocessing
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import translation

from importexport import columns as c
from importexport.xlsx import Template, build_template

FILE_ROWS = 7000


def file_bounds(fmt: c.EntityFormat, organization_id: int) -> Iterator[tuple[int, int]]:
    """(first id, last id) of each file's records, in order."""
    records = fmt.model.objects.filter(organization_id=organization_id).order_by("id")
    ids = records.values_list("id", flat=True)
    lower = 0
    while True:
        page = ids.filter(id__gt=lower)
        first = page.first()
        if first is None:
            return
        last = list(page[FILE_ROWS - 1 : FILE_ROWS]) or [page.last()]
        yield first, last[0]
        lower = last[0]


def _cell(column: c.Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == c.BOOL:
        return "yes" if value else "no"
    if column.kind == c.SHIFTS:
        return f" {c.LIST_SEPARATOR} ".join(
            f"{starts:%d/%m/%Y} | {ends:%d/%m/%Y} | {calendar}"
            for starts, ends, calendar in sorted(value)
        )
    if column.kind == c.M2M:
        return f"{c.LIST_SEPARATOR} ".join(sorted(value))
    return str(value)


def export_rows(
    fmt: c.EntityFormat, columns: tuple[c.Column, ...], organization_id: int, first: int, last: int
) -> list[list[str]]:
    """The rows of records first..last: one query for the fields, one per relationship."""
    model = fmt.model
    scalars = [col for col in columns if not col.multiple]
    selects = [f"{col.field}__{col.lookup}" if col.kind == c.FK else col.field for col in scalars]
    records = model.objects.filter(
        organization_id=organization_id, id__gte=first, id__lte=last
    ).order_by("id")
    values = list(records.values_list("id", *selects))
    related: dict[str, dict[int, list]] = {}
    for col in columns:
        if col.kind == c.M2M:
            field_ = model._meta.get_field(col.field)
            through = field_.remote_field.through
            source, target = field_.m2m_column_name(), field_.m2m_reverse_field_name()
            pairs = through.objects.filter(
                **{f"{source}__gte": first, f"{source}__lte": last}
            ).values_list(source, f"{target}__{col.lookup}")
        elif col.kind == c.SHIFTS:
            child = model._meta.get_field(col.field).related_model
            pairs = (
                (owner, (starts, ends, calendar))
                for owner, starts, ends, calendar in child.objects.filter(
                    specialist_id__gte=first, specialist_id__lte=last
                ).values_list("specialist_id", "starts_on", "ends_on", "calendar__name")
            )
        else:
            continue
        grouped: dict[int, list] = {}
        for owner, item in pairs:
            grouped.setdefault(owner, []).append(item)
        related[col.field] = grouped
    # Per column: where its value comes from (a record position or a relationship) and
    # whether it needs converting (plain text is written as it is).
    plan = []
    position = 1
    for col in columns:
        if col.multiple:
            plan.append((None, related[col.field], col))
        else:
            plan.append((position, None, col if col.kind in (c.BOOL,) else None))
            position += 1
    rows = []
    for record in values:
        row = []
        for index, grouped, col in plan:
            if grouped is not None:
                row.append(_cell(col, grouped.get(record[0])))
            elif col is None:
                row.append(record[index])
            else:
                row.append(_cell(col, record[index]))
        rows.append(row)
    return rows


# State a pool worker receives once, at fork time.
_WORKER: dict[str, Any] = {}


def _write_file(task: tuple[int, int, int]) -> tuple[int, str, int]:
    number, first, last = task
    fmt, columns, organization_id, template, folder = (
        _WORKER[name] for name in ("fmt", "columns", "organization_id", "template", "folder")
    )
    path = Path(folder) / f"{number:05d}.xlsx"
    rows = export_rows(fmt, columns, organization_id, first, last)
    count = template.write(path, rows)
    return number, str(path), count


def _close_connections() -> None:
    # A forked worker must open its own database connection, never share the parent's.
    connections.close_all()


def export_zip(
    *,
    fmt: c.EntityFormat,
    variant: str,
    organization_id: int,
    language: str,
    target: Path,
    name: str,
    on_progress: Callable[[int], None] = lambda rows: None,
) -> int:
    """Writes the zip of .xlsx files to `target`; returns how many records it holds."""
    columns = fmt.columns_for(variant)
    with translation.override(language):
        template = build_template(columns, title=str(fmt.label))
    bounds = list(file_bounds(fmt, organization_id))
    processes = max(1, min(settings.EXPORT_PROCESSES, len(bounds)))
    total = 0
    with (
        tempfile.TemporaryDirectory(dir=target.parent) as folder,
        zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as archive,
    ):
        _WORKER.update(
            fmt=fmt,
            columns=columns,
            organization_id=organization_id,
            template=template,
            folder=folder,
        )
        tasks = [(number, first, last) for number, (first, last) in enumerate(bounds, start=1)]
        if processes == 1:
            results: Iterator = map(_write_file, tasks)
            executor = None
        else:
            _close_connections()
            executor = ProcessPoolExecutor(
                max_workers=processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_close_connections,
            )
            results = executor.map(_write_file, tasks)
        try:
            for number, path, count in results:
                archive.write(path, f"{name}-{number:03d}.xlsx")
                Path(path).unlink()
                total += count
                on_progress(total)
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)
        if not tasks:
            # No records: still one (empty) file, so that the zip is never empty.
            path = Path(folder) / "empty.xlsx"
            template.write(path, [])
            archive.write(path, f"{name}-001.xlsx")
    return total


def empty_format(fmt: c.EntityFormat, target, language: str) -> None:
    """The creation template: every column, the "Informações" sheet, no rows."""
    with translation.override(language):
        template: Template = build_template(fmt.columns, title=str(fmt.label))
    template.write(target, [])
