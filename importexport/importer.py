"""The import engine: a spreadsheet in, records created or updated in chunks.

Every row is validated before a chunk is written, references (groups, projects, clients…)
are resolved with one query per kind and chunk, and each chunk is applied in one
transaction that also records the job's progress. A worker that dies mid-chunk leaves the
chunk wholly unapplied and the job resumable from it."""

from __future__ import annotations

import gc
import itertools
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import ne
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from importexport import bulk, csvfile
from importexport import columns as c
from importexport.models import ImportFailure
from importexport.xlsx import REASON_HEADER, FileError, inspect_upload, open_sheet
from notifications.models import Job
from tenancy.models import Project

SWITCH_INTERVAL = 0.0005
CHUNK_ROWS = 7000


@dataclass
class Layout:
    """Which cell of a row holds which column."""

    positions: list[tuple[int, c.Column]]
    width: int
    key_positions: list[tuple[int, c.Column]] = field(default_factory=list)

    @property
    def columns(self) -> list[c.Column]:
        return [column for _index, column in self.positions]

    @property
    def relations(self) -> list[c.Column]:
        return [column for column in self.columns if column.multiple]

    @property
    def write_only(self) -> list[c.Column]:
        return [column for column in self.columns if column.kind == c.WRITE_ONLY]


@dataclass
class Row:
    number: int
    raw: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    key: tuple | None = None


def header_layout(fmt: c.EntityFormat, header: list[Any]) -> Layout:
    names = [c.cell_text(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    if names and names[-1] == REASON_HEADER:
        names.pop()
    unknown = [name or _("(blank)") for name in names if fmt.column(name) is None]
    present = {name for name in names if name}
    missing = [
        column.header
        for column in fmt.columns
        if (column.required or column.field in fmt.key) and column.header not in present
    ]
    repeated = sorted(name for name, count in Counter(names).items() if name and count > 1)
    problems = [
        (message, {"names": ", ".join(names)})
        for message, names in (
            (gettext_noop("Missing columns: %(names)s."), missing),
            (gettext_noop("Unknown columns: %(names)s."), unknown),
            (gettext_noop("Repeated columns: %(names)s."), repeated),
        )
        if names
    ]
    if problems:
        expected = ", ".join(column.header for column in fmt.columns)
        problems.append(
            (gettext_noop("The columns of this format are: %(names)s."), {"names": expected})
        )
        raise FileError.joined(problems)
    positions = [(index, fmt.column(name)) for index, name in enumerate(names)]
    return Layout(
        positions=positions,
        width=len(names),
        key_positions=[(i, column) for i, column in positions if column.field in fmt.key],
    )


def open_upload(path):
    """The upload's inspection and rows: a .csv through importexport.csvfile, else .xlsx."""
    if csvfile.is_csv(path):
        inspection = csvfile.inspect_upload(path)
        return inspection, csvfile.open_sheet(path, inspection)
    inspection = inspect_upload(path)
    return inspection, open_sheet(path, inspection.sheet_name)


def check_header(fmt: c.EntityFormat, path) -> None:
    """Raises FileError when the file cannot be imported at all."""
    _inspection, sheet = open_upload(path)
    header = next(sheet.rows(), None)
    if header is None:
        raise FileError(gettext_noop("The file is empty."))
    header_layout(fmt, header[1])


def import_run(*, job: Job, fmt: c.EntityFormat, path) -> tuple[dict[str, int], list[c.Column]]:
    """Imports the file, resuming after the chunks the job already applied; returns the
    counts and the file's columns, in its order."""
    inspection, sheet = open_upload(path)

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        rows = sheet.rows()
        next(rows, None)
        for number, cells in rows:
            if not _blank(cells):
                yield number, cells

    first = next(sheet.rows(), None)
    if first is None:
        raise FileError(gettext_noop("The file is empty."))
    layout = header_layout(fmt, first[1])
    with _interpreter_for_import():
        keys = Counter(_key_text(layout, cells) for _number, cells in data_rows())
        duplicates = {key for key, count in keys.items() if count > 1 and any(key)}
        total = keys.total()
        Job.objects.filter(pk=job.pk).update(rows_total=total)
        job.rows_total = total
        chunks = _chunked(data_rows(), CHUNK_ROWS)
        with ChunkWriter() as writer:
            for index, chunk in enumerate(chunks):
                if index < job.chunks_done:
                    continue
                plan = _plan_chunk(
                    job, fmt, layout, chunk, index, duplicates, inspection.formula_rows
                )
                writer.submit(_commit_chunk, job, fmt, layout, plan)
    job.refresh_from_db()
    return job.counts, layout.columns


@contextmanager
def _interpreter_for_import() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector for the import. A chunk is tens of thousands
    of small lists, dicts and sets that the collector would scan over and over (it took half
    of the validation time), while reference counting frees them anyway; the few cycles
    left go in one collection at the end.
    And hands the interpreter over between threads more often: the writer thread gives it
    up at every write to the database and then waited up to a whole switch interval (5 ms)
    for the planning thread to let go, dozens of times a chunk; with 0.5 ms the import
    creates about 12% faster (bench.importer)."""
    collecting, switch = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(switch)
        if collecting:
            gc.enable()
            gc.collect()


def _blank(cells: list[Any]) -> bool:
    """No cell a person would read anything in: c.cell_text() empty for every cell, without
    building the texts (every row of the file is checked twice)."""
    for cell in cells:
        if type(cell) is str:
            if cell and not cell.isspace():
                return False
        elif cell is not None:
            return False
    return True


def _chunked(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _key_text(layout: Layout, cells: list[Any]) -> tuple[str, ...]:
    return tuple(
        column.key_text(cells[index] if index < len(cells) else None)
        for index, column in layout.key_positions
    )


# --- one chunk ---------------------------------------------------------------------------


def _parse(layout: Layout, number: int, cells: list[Any], formula_rows, duplicates) -> Row:
    row = Row(number=number, raw=cells[: layout.width])
    if duplicates and _key_text(layout, cells) in duplicates:
        row.errors.append(_("The same key appears in more than one row of the file."))
        return row
    if number in formula_rows:
        row.errors.append(
            _("Cell %(cell)s holds a formula; paste the values instead.")
            % {"cell": f"{formula_rows[number]}{number}"}
        )
    if len(cells) < layout.width:
        cells = [*cells, *[None] * (layout.width - len(cells))]
    values = row.values
    for index, column in layout.positions:
        try:
            values[column.field] = column.parse(cells[index])
        except c.CellError as exc:
            row.errors.append(str(exc))
        if column.kind == c.WRITE_ONLY and index < len(row.raw):
            # The failed rows' report must not keep a password.
            row.raw[index] = None
    return row


def _resolve_references(job: Job, layout: Layout, rows: list[Row]) -> None:
    """Turns names into ids with one query per referenced model; unknown names fail the row."""
    for column in layout.columns:
        if column.kind not in (c.M2M, c.FK, c.SHIFTS):
            continue
        wanted: set[str] = set()
        for row in rows:
            value = row.values.get(column.field)
            if value is None:
                continue
            if column.kind == c.M2M:
                wanted |= value
            elif column.kind == c.FK:
                wanted.add(value)
            else:
                wanted |= {calendar for *_dates, calendar in value}
        found = dict(
            column.related_model.objects.filter(
                organization_id=job.organization_id, **{f"{column.lookup}__any_of": list(wanted)}
            ).values_list(column.lookup, "id")
        )
        for row in rows:
            value = row.values.get(column.field)
            if value is None:
                continue
            names = (
                value
                if column.kind == c.M2M
                else {value}
                if column.kind == c.FK
                else {calendar for *_dates, calendar in value}
            )
            unknown = [name for name in names if name not in found]
            if unknown:
                row.errors.append(c.unknown_names_message(column, unknown))
            elif column.kind == c.M2M:
                row.values[column.field] = frozenset(found[name] for name in value)
            elif column.kind == c.FK:
                row.values[column.field] = found[value]
            else:
                row.values[column.field] = frozenset(
                    (starts, ends, found[calendar]) for starts, ends, calendar in value
                )


def _attname(fmt: c.EntityFormat, column: c.Column) -> str:
    return fmt.model._meta.get_field(column.field).attname


@dataclass
class Plan:
    """What one chunk's transaction writes, worked out before the transaction opens."""

    index: int
    size: int
    creates: list[tuple[dict, dict]]
    # Taken while planning, on the planner's connection, so that the chunk's transaction
    # does not wait for the sequence.
    created_ids: list[int] | None
    updates: list[dict]
    relations: dict[int, dict]  # existing record id → its relationships that change
    # Write-only values, sealed: by position in `creates`, and by existing record id.
    created_sealed: dict[int, dict[str, Any]]
    sealed: dict[int, dict[str, Any]]
    failed: list[Row]
    counts: dict[str, int]


def _plan_chunk(job, fmt, layout, chunk, index, duplicates, formula_rows) -> Plan:
    rows = [_parse(layout, number, cells, formula_rows, duplicates) for number, cells in chunk]
    _resolve_references(job, layout, [row for row in rows if not row.errors])
    for row in rows:
        if not row.errors:
            _set_key(fmt, row)
    creates, updates, relations, sealed, counts = _plan_writes(
        job, fmt, layout, [row for row in rows if not row.errors]
    )
    # Rows the row rule refused while planning fail too.
    failed = [row for row in rows if row.errors]
    return Plan(
        index=index,
        size=len(rows),
        creates=creates,
        created_ids=bulk.new_ids(fmt, len(creates)),
        updates=updates,
        relations=relations,
        created_sealed=sealed["created"],
        sealed=sealed["existing"],
        failed=failed,
        counts={**counts, "failed": len(failed)},
    )


def _set_key(fmt: c.EntityFormat, row: Row) -> None:
    """The row's key as the record stores it: through the row rule (an e-mail key in lower
    case), so that a differently spelled key finds its record instead of adding a second."""
    keyed = {name: row.values[name] for name in fmt.key}
    try:
        keyed = _prepared(fmt, keyed)
    except ValidationError as exc:
        row.errors.extend(_refusals(fmt, exc))
        return
    row.key = tuple(keyed[name] for name in sorted(fmt.key))


def _prepared(fmt: c.EntityFormat, values: dict[str, Any]) -> dict[str, Any]:
    return values if fmt.prepare is None else fmt.prepare(values)


def _refusals(fmt: c.EntityFormat, exc: ValidationError) -> list[str]:
    """The row rule's ValidationError as reasons that name the file's columns."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    headers = {}
    for column in fmt.columns:
        headers[column.field] = column.header
        if column.scalar:
            headers[_attname(fmt, column)] = column.header
    return [
        _("“%(column)s”: %(reason)s") % {"column": headers.get(field, field), "reason": message}
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


def _commit_chunk(job: Job, fmt: c.EntityFormat, layout: Layout, plan: Plan) -> None:
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.chunks_done != plan.index:
            return  # another delivery of this task already applied it
        _write(locked, fmt, layout, plan)
        ImportFailure.objects.bulk_create(
            [
                ImportFailure(
                    job=locked,
                    row_number=row.number,
                    cells=[c.cell_text(cell) for cell in row.raw],
                    reason=" ".join(row.errors),
                )
                for row in plan.failed
            ],
            ignore_conflicts=True,
        )
        locked.counts = {
            name: locked.counts.get(name, 0) + plan.counts.get(name, 0)
            for name in ("created", "updated", "unchanged", "failed")
        }
        locked.chunks_done = plan.index + 1
        locked.rows_done = min(locked.rows_total, locked.rows_done + plan.size)
        locked.save(update_fields=["counts", "chunks_done", "rows_done"])
    job.chunks_done, job.counts, job.rows_done = locked.chunks_done, locked.counts, locked.rows_done


class ChunkWriter:
    """Commits chunk plans one after another on a thread of its own, so that the database
    applies one chunk while Python validates the next. The thread has its own connection;
    inside an outer transaction, which that connection could not see, and on SQLite, which
    writes from one connection at a time, plans are committed in the caller's thread."""

    def __init__(self) -> None:
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._pool = ThreadPoolExecutor(max_workers=1) if threaded else None
        self._pending: Future | None = None

    def submit(self, commit: Callable[..., None], *args: Any) -> None:
        """Waits for the previous plan (raising its error) and starts this one."""
        self.wait()
        if self._pool is None:
            commit(*args)
        else:
            self._pending = self._pool.submit(commit, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is None:
            return
        try:
            self.wait()
        finally:
            # The connection belongs to the thread: only the thread may close it.
            self._pool.submit(lambda: connection.close()).result()
            self._pool.shutdown()


def _plan_writes(
    job: Job, fmt: c.EntityFormat, layout: Layout, rows: list[Row]
) -> tuple[list[tuple[dict, dict]], list[dict], dict[int, dict], dict[str, dict], dict[str, int]]:
    """Compares the valid rows with the records they name: what to create, update, relink,
    the write-only values to store (sealed), and the counts.
    Safe outside the chunk's transaction: a key appears in one row of the file only, so no
    other chunk writes the records this one reads."""
    model = fmt.model
    scalars = [col for col in layout.columns if col.scalar]
    relations = layout.relations
    all_scalars = [col for col in fmt.columns if col.scalar]
    attnames = [_attname(fmt, col) for col in all_scalars]
    key_attnames = [model._meta.get_field(name).attname for name in sorted(fmt.key)]
    first_key = key_attnames[0]
    existing = {
        tuple(record[name] for name in key_attnames): record
        for record in model.objects.filter(
            organization_id=job.organization_id,
            **{f"{first_key}__any_of": list({row.key[0] for row in rows})},
        ).values("id", *attnames)
    }
    current_relations = _current_relations(fmt, relations, [r["id"] for r in existing.values()])
    planned: list[tuple[Row, dict | None, dict, bool]] = []
    scalar_names = [(col, _attname(fmt, col)) for col in scalars]
    for row in rows:
        record = existing.get(row.key)
        new = {} if record is None else dict(record)
        values = row.values
        for col, name in scalar_names:
            value = values[col.field]
            if value is not None:
                new[name] = value
            elif record is None or not col.keeps_when_empty:
                new[name] = _stored(col, creating=record is None)
        # The row rule runs on every record written, and only on those: an unchanged
        # record costs no rule (re-imports stay fast).
        changed = record is None or _differs(new, record, attnames)
        if changed:
            try:
                new = _prepared(fmt, new)
            except ValidationError as exc:
                row.errors.extend(_refusals(fmt, exc))
                continue
            # A spelling the rule normalizes away (an upper-case e-mail) is no change.
            changed = record is None or _differs(new, record, attnames)
        planned.append((row, record, new, changed))
    if fmt.check is not None:
        # Across the chunk's records at once, on those written only, as the row rule.
        written = [(row, new) for row, _record, new, changed in planned if changed]
        refused = fmt.check(
            organization_id=job.organization_id, records=[new for _row, new in written]
        )
        for index, exc in refused.items():
            written[index][0].errors.extend(_refusals(fmt, exc))
    creates, updates, changed_relations = [], [], {}
    sealed: dict[str, dict] = {"created": {}, "existing": {}}
    unchanged = 0
    for row, record, new, changed in planned:
        if row.errors:
            continue
        # Last, on the rows nothing else refused: sealing a password is slow on purpose.
        values = {}
        for col in layout.write_only:
            try:
                value = col.seal(row.values[col.field], new)
            except c.CellError as exc:
                row.errors.append(str(exc))
            else:
                if value is not None:
                    values[col.field] = value
        if row.errors:
            continue
        if values:
            if record is None:
                sealed["created"][len(creates)] = values
            else:
                sealed["existing"][record["id"]] = values
        wanted = {}
        for col in relations:
            value = row.values[col.field]
            if value is None and col.keeps_when_empty:
                # A new record joins the project the operator imports into.
                if record is None and col.related_model is Project and job.project_id:
                    wanted[col.field] = frozenset({job.project_id})
                continue
            wanted[col.field] = value or frozenset()
        if record is None:
            creates.append((new, wanted))
            continue
        diff = {
            name: current
            for name, current in wanted.items()
            if current != current_relations[name].get(record["id"], frozenset())
        }
        if changed:
            updates.append(new)
        if diff:
            changed_relations[record["id"]] = diff
        if not changed and not diff and not values:
            unchanged += 1
    updated = len(
        {record["id"] for record in updates} | set(changed_relations) | set(sealed["existing"])
    )
    counts = {"created": len(creates), "updated": updated, "unchanged": unchanged}
    return creates, updates, changed_relations, sealed, counts


def _differs(new: dict, record: dict, attnames: list[str]) -> bool:
    return any(map(ne, map(new.__getitem__, attnames), map(record.__getitem__, attnames)))


def _write(job: Job, fmt: c.EntityFormat, layout: Layout, plan: Plan) -> None:
    changed = dict(plan.relations)
    created_ids = bulk.insert(job, fmt, [new for new, _wanted in plan.creates], plan.created_ids)
    for record_id, (_new, wanted) in zip(created_ids, plan.creates, strict=True):
        if wanted:
            changed[record_id] = wanted
    bulk.update(job, fmt, plan.updates)
    bulk.set_relations(job, fmt, layout.relations, changed, replaced=set(plan.relations))
    sealed = dict(plan.sealed)
    for position, values in plan.created_sealed.items():
        sealed[created_ids[position]] = values
    for col in layout.write_only:
        values = {pk: record[col.field] for pk, record in sealed.items() if col.field in record}
        if values:
            col.write_only.store(organization_id=job.organization_id, values=values)
    if fmt.written is not None:
        ids = [*created_ids, *(record["id"] for record in plan.updates)]
        fmt.written(organization_id=job.organization_id, ids=ids)


def _stored(column: c.Column, *, creating: bool) -> Any:
    """What an empty cell stores."""
    if creating and column.default is not None:
        return column.default
    if column.kind == c.FK:
        return None
    return "" if column.kind != c.BOOL else bool(column.default)


def _current_relations(fmt, relations: list[c.Column], ids: list[int]) -> dict[str, dict]:
    current: dict[str, dict] = {}
    for col in relations:
        sets: dict[int, set] = {}
        if col.kind == c.M2M:
            field_ = fmt.model._meta.get_field(col.field)
            through = field_.remote_field.through
            source, target = field_.m2m_column_name(), field_.m2m_reverse_name()
            pairs = through.objects.filter(**{f"{source}__any_of": ids}).values_list(source, target)
        elif col.kind == c.ADDITIONAL:
            pairs = bulk.additional_pairs(col, id__any_of=ids)
        else:
            child = fmt.model._meta.get_field(col.field).related_model
            owner_id, *fields = bulk.child_attnames(child, col.children)
            pairs = (
                (owner, tuple(item))
                for owner, *item in child.objects.filter(
                    **{f"{owner_id}__any_of": ids}
                ).values_list(owner_id, *fields)
            )
        for owner, item in pairs:
            sets.setdefault(owner, set()).add(item)
        current[col.field] = {owner: frozenset(items) for owner, items in sets.items()}
    return current
