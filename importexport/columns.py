"""The one definition of each entity's spreadsheet columns.

Each app's `resources.py` declares its `EntityFormat` with these classes and registers it
(importexport.registry); the fast job engine (importexport.importer/exporter), the
"Informações" sheet and the Django admin's django-import-export resources are all built
from that single declaration. The engine names no app: what is particular to one entity
(its row rule, a coded identifier such as the CNPJ, child rows such as shifts) is handed
in by the format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEXT = "text"
EMAIL = "email"
CHOICE = "choice"
BOOL = "bool"
CODE = "code"
DATE = "date"
M2M = "m2m"
FK = "fk"
SHIFTS = "shifts"
# One of the organization's additional fields (tenancy.additional_fields).
ADDITIONAL = "additional"
# A value written and never read back (a login password): see WriteOnly.
WRITE_ONLY = "write_only"

LIST_SEPARATOR = ";"
_TRUE = {"yes", "sim", "sí", "si", "true", "1", "x"}
_FALSE = {"no", "não", "nao", "false", "0"}
_DATE_BR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class _EmailValidator(EmailValidator):
    """Django's e-mail rules with its lazily compiled patterns compiled once: a lazy
    pattern costs a proxy lookup per use, and imports check every row's e-mail."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(
        EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags
    )
    literal_regex = re.compile(
        EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags
    )


validate_email = _EmailValidator()


class CellError(ValueError):
    """A cell that cannot be used; the message is shown to the user as the row's reason."""


@dataclass(frozen=True)
class Identifier:
    """A coded identifier whose rules belong to the app that owns it (the clients' CNPJ):
    how its spellings reduce to the stored one and how a stored one is checked."""

    type_label: Promise | str
    allowed: Promise | str
    normalize: Callable[[str], str]
    is_valid: Callable[[str], bool]  # on a value `normalize` returned
    invalid: Promise | str  # the reason, with %(column)s and %(value)s
    # A code typed into a number cell loses its leading zeros: padded back to this width.
    width: int = 0

    def clean(self, raw: Any, text: str) -> str:
        value = self.normalize(text)
        if self.width and isinstance(raw, float | int) and value.isdigit():
            value = value.zfill(self.width)
        return value


@dataclass(frozen=True)
class ChildRows:
    """Where the items of a child-row column (a specialist's shifts) are stored: a model
    with a foreign key `owner` to the record and one row per item. An item is a tuple of
    `fields`; the last one refers to the column's related_model, by its `lookup`."""

    owner: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ExtraValues:
    """Where an additional field's column keeps its values: `model`, one row per owner and
    field (foreign keys `owner` and `field`, the canonical text in `value`)."""

    model: type[models.Model]
    owner: str
    definition: Any  # the AdditionalField: its id, label, type, options and `required`


@dataclass(frozen=True)
class WriteOnly:
    """Where a write-only column's value goes, a value the records do not hold in a field of
    their own (a specialist's login password): the app's rule, which every importer calls.
    `seal(value=…, record=…)` checks a non-empty cell against the record it comes with (its
    fields as written, with "id" when it exists) and returns what is stored (the password's
    hash), or raises ValidationError: the row fails and nothing of it is written.
    `store(organization_id=…, values={record id: sealed})` writes them in the transaction
    that wrote the records. An empty cell leaves what is stored; exports leave the column
    empty, so nothing stored ever leaves through them."""

    seal: Callable[..., Any]
    store: Callable[..., None]


@dataclass(frozen=True)
class Column:
    header: str  # Fixed and language-independent, so a file works whatever the user's language.
    field: str
    kind: str = TEXT
    description: Promise | str = ""
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    example: str = ""
    # Relationship columns are left out of the "with data, without relationships" format.
    relation: bool = False
    related_model: type[models.Model] | None = None
    lookup: str = "name"
    default: Any = None
    # An empty cell leaves the record's current value (lists, choices and yes/no say so).
    keep_when_empty: bool = False
    # A CODE column's rules; on a reference (FK), how the referenced code is spelled.
    identifier: Identifier | None = None
    # Where a SHIFTS column keeps its items.
    children: ChildRows | None = None
    # Where an ADDITIONAL column keeps its values.
    extra: ExtraValues | None = None
    # Where a WRITE_ONLY column's values go.
    write_only: WriteOnly | None = None

    @property
    def keeps_when_empty(self) -> bool:
        return self.keep_when_empty or self.kind in (CHOICE, BOOL, WRITE_ONLY)

    @property
    def scalar(self) -> bool:
        """Held in a field of the record's own row."""
        return not self.multiple and self.kind != WRITE_ONLY

    @property
    def multiple(self) -> bool:
        """Holds a set of items (names or shifts), stored apart from the record's row."""
        return self.kind in (M2M, SHIFTS, ADDITIONAL)

    @property
    def type_label(self) -> str:
        if self.kind == CODE:
            return str(self.identifier.type_label)
        if self.kind == ADDITIONAL:
            return str(self.extra.definition.get_field_type_display())
        return str(_TYPE_LABELS[self.kind])

    def allowed_values(self) -> str:
        if self.choices:
            return ", ".join(self.choices)
        if self.kind == BOOL:
            return "yes, no"
        if self.kind == CODE:
            return str(self.identifier.allowed)
        if self.kind == ADDITIONAL:
            return str(_ALLOWED_ADDITIONAL.get(self.extra.definition.field_type, ""))
        return str(_ALLOWED[self.kind]) if self.kind in _ALLOWED else ""

    def empty_on_update(self) -> str:
        if self.required:
            return _("Not allowed: the row fails.")
        if self.keeps_when_empty:
            return _("Keeps the current value.")
        if self.kind == ADDITIONAL:
            return _("Clears the value.")
        if self.multiple:
            return _("Removes every item of this relationship from the record.")
        if self.kind == FK:
            return _("Unlinks the record.")
        return _("Clears the value.")

    def key_text(self, raw: Any) -> str:
        """The cell as compared between rows of one file: cheap, no validation."""
        text = cell_text(raw)
        if self.identifier is not None:
            return self.identifier.clean(raw, text)
        # E-mail addresses are compared case-insensitively (the row rules store one spelling).
        return text.lower() if self.kind == EMAIL else text

    def parse(self, raw: Any) -> Any:
        """The cell's value in the form the model stores; raises CellError with a reason.
        None means "empty"."""
        text = raw.strip() if type(raw) is str else cell_text(raw)
        if not text:
            if self.required:
                raise CellError(_("“%(column)s” is required.") % {"column": self.header})
            return None
        return _PARSERS[self.kind](self, raw, text)

    def seal(self, value: str | None, record: dict[str, Any]) -> Any:
        """A WRITE_ONLY cell's value (from parse()) through the app's rule, for `record`: None
        when empty, else what is stored; raises CellError with the rule's reasons."""
        if value is None:
            return None
        try:
            return self.write_only.seal(value=value, record=record)
        except ValidationError as exc:
            raise CellError(
                " ".join(
                    _("“%(column)s”: %(reason)s") % {"column": self.header, "reason": message}
                    for message in exc.messages
                )
            ) from exc


@dataclass(frozen=True)
class EntityFormat:
    name: str
    label: Promise | str
    model: type[models.Model]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    # The app's row rule (e.g. clients.services.client_prepare): normalizes and derives
    # fields of a record given as a dict, raising ValidationError on a value it refuses.
    # The job import and the admin's import apply it to every record they write.
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # The app's rule across rows and tables (e.g. terminals.services.terminal_link_errors),
    # applied after `prepare` to the records about to be written, all of a chunk at once:
    # check(organization_id=…, records=[column → value, …]) -> {index: ValidationError}.
    check: Callable[..., dict[int, ValidationError]] | None = None
    # The app's rule on what a written record implies elsewhere (e.g. a specialist's login
    # follows its status), run in the transaction that wrote the records:
    # written(organization_id=…, ids=[…]).
    written: Callable[..., None] | None = None
    # The organization's own columns (its additional fields), after the declared ones:
    # extra_columns(organization_id) -> columns. A job works with for_organization().
    extra_columns: Callable[[int], tuple[Column, ...]] | None = None

    def for_organization(self, organization_id: int) -> EntityFormat:
        """This format with the organization's own columns."""
        if self.extra_columns is None:
            return self
        return dataclasses.replace(
            self, columns=(*self.columns, *self.extra_columns(organization_id)), extra_columns=None
        )

    def columns_for(self, variant: str) -> tuple[Column, ...]:
        if variant == "data_plain":
            return tuple(c for c in self.columns if not c.relation)
        return self.columns

    def column(self, header: str) -> Column | None:
        return next((c for c in self.columns if c.header == header), None)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.field in self.key)


def cell_text(raw: Any) -> str:
    """A cell as the text a person reads in it (calamine gives floats for numbers)."""
    if type(raw) is str:
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _text(column: Column, raw: Any, text: str) -> str:
    if column.max_length and len(text) > column.max_length:
        raise CellError(
            _("“%(column)s” has more than %(max)d characters.")
            % {"column": column.header, "max": column.max_length}
        )
    return text


def _email(column: Column, raw: Any, text: str) -> str:
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError(
            _("“%(column)s”: “%(value)s” is not a valid e-mail address.")
            % {"column": column.header, "value": text}
        ) from exc
    return _text(column, raw, text)


def _choice(column: Column, raw: Any, text: str) -> str:
    value = text.lower()
    if value not in column.choices:
        raise CellError(
            _("“%(column)s”: “%(value)s” is not one of %(allowed)s.")
            % {"column": column.header, "value": text, "allowed": ", ".join(column.choices)}
        )
    return value


def _bool(column: Column, raw: Any, text: str) -> bool:
    value = text.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(
        _("“%(column)s”: “%(value)s” is not yes or no.") % {"column": column.header, "value": text}
    )


def _code(column: Column, raw: Any, text: str) -> str:
    identifier = column.identifier
    value = identifier.clean(raw, text)
    if not identifier.is_valid(value):
        raise CellError(str(identifier.invalid) % {"column": column.header, "value": text})
    return value


def parse_date(raw: Any, text: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    match = _DATE_BR.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CellError(
            _("“%(value)s” is not a date (use DD/MM/YYYY or YYYY-MM-DD).") % {"value": text}
        ) from exc


def _date(column: Column, raw: Any, text: str) -> dt.date:
    try:
        return parse_date(raw, text)
    except CellError as exc:
        raise CellError(f"“{column.header}”: {exc}") from exc


def unknown_names_message(column: Column, names: list[str]) -> str:
    """A name cell's refusal, the same in the job import and in the admin's."""
    return _("“%(column)s”: not found in this organization: %(names)s.") % {
        "column": column.header,
        "names": ", ".join(sorted(names)),
    }


def _names(column: Column, raw: Any, text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(LIST_SEPARATOR) if part.strip())


def _additional(column: Column, raw: Any, text: str) -> frozenset[str]:
    """The value's canonical text (tenancy.additional_fields' rule), as the one item the
    column holds; dates are also read as DD/MM/YYYY."""
    from tenancy.additional_fields import FieldType, value_clean

    definition = column.extra.definition
    value: Any = raw
    if definition.field_type == FieldType.DATE:
        value = _date(column, raw, text)
    try:
        return frozenset({value_clean(field=definition, value=value)})
    except ValidationError as exc:
        # The rule's messages name the field by its label, the column's header.
        raise CellError(" ".join(exc.messages)) from exc


def additional_columns(
    definitions, *, value_model: type[models.Model], owner: str
) -> tuple[Column, ...]:
    """One column per additional field, headed by its label."""
    return tuple(
        Column(
            definition.label,
            f"additional_{definition.pk}",
            ADDITIONAL,
            gettext_lazy("Additional field of the organization."),
            required=definition.required,
            choices=tuple(definition.choice_list),
            extra=ExtraValues(model=value_model, owner=owner, definition=definition),
        )
        for definition in definitions
    )


def _write_only(column: Column, raw: Any, text: str) -> str:
    # As typed: a password's spaces are part of it.
    value = raw if type(raw) is str else text
    return _text(column, raw, value)


def _fk(column: Column, raw: Any, text: str) -> str:
    return column.identifier.clean(raw, text) if column.identifier is not None else text


def _shifts(column: Column, raw: Any, text: str) -> frozenset[tuple[dt.date, dt.date, str]]:
    shifts = set()
    for item in text.split(LIST_SEPARATOR):
        if not item.strip():
            continue
        parts = [part.strip() for part in item.split("|")]
        if len(parts) != 3:
            raise CellError(
                _("“%(column)s”: “%(value)s” is not “from | until | calendar”.")
                % {"column": column.header, "value": item.strip()}
            )
        starts, ends = (_date(column, part, part) for part in parts[:2])
        if ends < starts:
            raise CellError(
                _("“%(column)s”: a shift ends before it starts (%(value)s).")
                % {"column": column.header, "value": item.strip()}
            )
        shifts.add((starts, ends, parts[2]))
    return frozenset(shifts)


_PARSERS = {
    TEXT: _text,
    EMAIL: _email,
    CHOICE: _choice,
    BOOL: _bool,
    CODE: _code,
    DATE: _date,
    M2M: _names,
    FK: _fk,
    SHIFTS: _shifts,
    ADDITIONAL: _additional,
    WRITE_ONLY: _write_only,
}

_TYPE_LABELS = {
    TEXT: gettext_lazy("Text"),
    EMAIL: gettext_lazy("E-mail"),
    CHOICE: gettext_lazy("List"),
    BOOL: gettext_lazy("Yes/no"),
    DATE: gettext_lazy("Date"),
    M2M: gettext_lazy("Names separated by “;”"),
    FK: gettext_lazy("Reference"),
    SHIFTS: gettext_lazy("Shifts separated by “;”"),
    WRITE_ONLY: gettext_lazy("Text, never exported"),
}

_ALLOWED_ADDITIONAL = {
    "number": gettext_lazy("A number, e.g. 12.5"),
    "date": gettext_lazy("DD/MM/YYYY or YYYY-MM-DD"),
}

_ALLOWED = {
    DATE: gettext_lazy("DD/MM/YYYY or YYYY-MM-DD"),
    EMAIL: gettext_lazy("A valid e-mail address"),
    M2M: gettext_lazy("Names that already exist in the organization"),
    SHIFTS: gettext_lazy("from | until | calendar; e.g. 01/07/2026 | 31/12/2026 | Comercial"),
}
