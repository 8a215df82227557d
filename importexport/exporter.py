"""The export engine: records out, one .xlsx per 7,000 records, zipped.

It walks the table by primary key to find where each file starts (keyset pagination, no
OFFSET over the whole table), then fetches each file's slice and streams it into its own
.xlsx, one file after another, adding each to the zip as it is done: memory does not grow
with the number of records. It runs in the process that calls it: a Celery prefork worker's
pool process is daemonic and may not start a process pool of its own, and one process
already writes well over 20,000 rows a second (bench.exporter), so a second one would buy
little and double the memory."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.utils import translation

from importexport import bulk
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
    if column.kind == c.ADDITIONAL:
        return value[0]
    return str(value)


def export_rows(
    fmt: c.EntityFormat, columns: tuple[c.Column, ...], organization_id: int, first: int, last: int
) -> list[list[str]]:
    """The rows of records first..last: one query for the fields, one per relationship."""
    model = fmt.model
    scalars = [col for col in columns if col.scalar]
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
            owner_id = child._meta.get_field(col.children.owner).attname
            *plain, reference = col.children.fields
            pairs = (
                (owner, tuple(item))
                for owner, *item in child.objects.filter(
                    **{f"{owner_id}__gte": first, f"{owner_id}__lte": last}
                ).values_list(owner_id, *plain, f"{reference}__{col.lookup}")
            )
        elif col.kind == c.ADDITIONAL:
            pairs = bulk.additional_pairs(col, id__gte=first, id__lte=last)
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
        if col.kind == c.WRITE_ONLY:
            # Never read back: exported empty.
            plan.append((None, {}, col))
        elif col.multiple:
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
    total = 0
    with (
        tempfile.TemporaryDirectory(dir=target.parent) as folder,
        zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as archive,
    ):
        path = Path(folder) / "file.xlsx"
        number = 0
        for number, (first, last) in enumerate(file_bounds(fmt, organization_id), start=1):
            total += template.write(path, export_rows(fmt, columns, organization_id, first, last))
            archive.write(path, f"{name}-{number:03d}.xlsx")
            on_progress(total)
        if not number:
            # No records: still one (empty) file, so that the zip is never empty.
            template.write(path, [])
            archive.write(path, f"{name}-001.xlsx")
    return total


def empty_format(fmt: c.EntityFormat, target, language: str) -> None:
    """The creation template: every column, the "Informações" sheet, no rows."""
    with translation.override(language):
        template: Template = build_template(fmt.columns, title=str(fmt.label))
    template.write(target, [])
