"""Set-based writes of imported records, inside the chunk's transaction: COPY and joined
statements on PostgreSQL, the ORM's bulk methods on other databases (the embedded SQLite)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.utils import timezone

from importexport import columns as c
from notifications.models import Job


def _audit_fields(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def new_ids(fmt: c.EntityFormat, count: int) -> list[int] | None:
    """Ids for `count` records about to be created, from the table's own sequence, or None
    where the database assigns them on insert (other than PostgreSQL). A sequence is not
    transactional: ids taken for a chunk that is never written leave a gap, as any
    rolled-back insert does."""
    if connection.vendor != "postgresql" or not count:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [fmt.model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(job: Job, fmt: c.EntityFormat, records: list[dict], ids: list[int] | None) -> list[int]:
    """Creates the records (column → value) with the `ids` new_ids() gave for them; returns
    their ids, in the same order."""
    if not records:
        return []
    model = fmt.model
    audit = _audit_fields(model)
    extra: dict[str, Any] = {"organization_id": job.organization_id}
    if "created_by" in audit:
        extra["created_by_id"] = job.user_id
        extra["updated_by_id"] = job.user_id
    if ids is None:
        objects = model.objects.bulk_create([model(**record, **extra) for record in records])
        return [obj.pk for obj in objects]
    # COPY is several times faster than a multi-row INSERT; the ids, known beforehand, let
    # the relationship rows be written right after.
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    with connection.cursor() as cursor:
        producers = [_producer(f, extra, now) for f in fields]
        columns = ", ".join(['"id"', *(f'"{f.column}"' for f in fields)])
        with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for pk, record in zip(ids, records, strict=True):
                copy.write_row([pk, *(produce(record) for produce in producers)])
    return ids


def _producer(model_field: models.Field, extra: dict[str, Any], now):
    """How one column of a new row gets its value: the file, the job, or the field default."""
    name = model_field.attname
    if name in extra:
        value = extra[name]
        return lambda record: value
    if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
        return lambda record: now
    if model_field.has_default() and callable(model_field.default):
        default = model_field.default
        return lambda record: record[name] if name in record else default()
    fallback = model_field.get_default()
    return lambda record: record.get(name, fallback)


def update(job: Job, fmt: c.EntityFormat, records: list[dict]) -> None:
    """Rewrites the records, each a dict of its id and every column, all with the same keys."""
    if not records:
        return
    model = fmt.model
    audit = _audit_fields(model)
    names = [name for name in records[0] if name != "id"]
    if connection.vendor != "postgresql":
        # bulk_update() runs no pre_save(): the audit columns are set here, as the SQL
        # below sets them.
        stamps = {"updated_at": timezone.now(), "updated_by_id": job.user_id}
        stamps = {
            name: value for name, value in stamps.items() if name.removesuffix("_id") in audit
        }
        objects = [
            model(id=record["id"], **{n: record[n] for n in names}, **stamps) for record in records
        ]
        model.objects.bulk_update(objects, [*names, *(n.removesuffix("_id") for n in stamps)])
        return
    # The rows go by COPY into a temporary table that one UPDATE joins: psycopg writes COPY
    # rows in C, where array parameters for unnest() would be dumped value by value in Python.
    table = model._meta.db_table
    staging = f"import_{table}"
    assignments = [f'"{name}" = v."{name}"' for name in names]
    params: list[Any] = []
    if "updated_at" in audit:
        assignments.append('"updated_at" = now()')
    if "updated_by" in audit:
        assignments.append('"updated_by_id" = %s')
        params.append(job.user_id)
    columns = ["id", *names]
    column_list = ", ".join(f'"{name}"' for name in columns)
    # Table and column names come from the model's meta; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS pg_temp."{staging}"')
        cursor.execute(
            f'CREATE TEMPORARY TABLE "{staging}" ON COMMIT DROP AS '  # noqa: S608
            f'SELECT {column_list} FROM "{table}" WITH NO DATA'
        )
        with cursor.cursor.copy(f'COPY "{staging}" ({column_list}) FROM STDIN') as copy:
            for record in records:
                copy.write_row([record[name] for name in columns])
        cursor.execute(
            f'UPDATE "{table}" AS t SET {", ".join(assignments)} '  # noqa: S608
            f'FROM "{staging}" AS v WHERE t.id = v.id',
            params,
        )


def _insert_pairs(through, source: str, target: str, owners, changed, name: str) -> None:
    pairs = [(owner, item) for owner in owners for item in changed[owner][name]]
    if connection.vendor != "postgresql":
        through.objects.bulk_create([through(**{source: a, target: b}) for a, b in pairs])
        return
    table = through._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ("{source}", "{target}") FROM STDIN') as copy,
    ):
        for pair in pairs:
            copy.write_row(pair)


def set_relations(
    job: Job, fmt, relations: list[c.Column], changed: dict[int, dict], *, replaced: set[int]
) -> None:
    """Writes the relationships in `changed`; only the `replaced` records, which existed
    before, have current ones to remove first."""
    for col in relations:
        owners = [owner for owner, wanted in changed.items() if col.field in wanted]
        if not owners:
            continue
        existed = [owner for owner in owners if owner in replaced]
        if col.kind == c.M2M:
            field_ = fmt.model._meta.get_field(col.field)
            through = field_.remote_field.through
            source, target = field_.m2m_column_name(), field_.m2m_reverse_name()
            if existed:
                through.objects.filter(**{f"{source}__any_of": existed}).delete()
            _insert_pairs(through, source, target, owners, changed, col.field)
        elif col.kind == c.ADDITIONAL:
            _set_additional(col, owners, existed, changed)
        else:
            child = fmt.model._meta.get_field(col.field).related_model
            owner_id, *fields = child_attnames(child, col.children)
            if existed:
                child.objects.filter(**{f"{owner_id}__any_of": existed}).delete()
            child.objects.bulk_create(
                [
                    child(
                        organization_id=job.organization_id,
                        **{owner_id: owner},
                        **dict(zip(fields, item, strict=True)),
                    )
                    for owner in owners
                    for item in changed[owner][col.field]
                ]
            )


def child_attnames(child: type[models.Model], rows: c.ChildRows) -> list[str]:
    """The owner's column, then each item field's (a reference by its id)."""
    return [child._meta.get_field(name).attname for name in (rows.owner, *rows.fields)]


def _owner_attname(col: c.Column) -> str:
    return col.extra.model._meta.get_field(col.extra.owner).attname


def additional_pairs(col: c.Column, **owners):
    """(owner id, value) of an additional field's column, for the owners whose id matches
    the lookups in `owners` (e.g. id__any_of=[…])."""
    owner_id = _owner_attname(col)
    lookups = {f"{owner_id}__{lookup.removeprefix('id__')}": v for lookup, v in owners.items()}
    return col.extra.model.objects.filter(field_id=col.extra.definition.pk, **lookups).values_list(
        owner_id, "value"
    )


def _set_additional(col: c.Column, owners: list[int], existed: list[int], changed) -> None:
    """One field's values: the records' current ones removed, the non-empty ones written
    (an empty cell clears the value, as on the record's page)."""
    extra = col.extra
    owner_id = _owner_attname(col)
    if existed:
        extra.model.objects.filter(
            field_id=extra.definition.pk, **{f"{owner_id}__any_of": existed}
        ).delete()
    extra.model.objects.bulk_create(
        [
            extra.model(**{owner_id: owner}, field_id=extra.definition.pk, value=value)
            for owner in owners
            for value in changed[owner][col.field]
            if value
        ]
    )
