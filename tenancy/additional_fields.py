"""Organization-defined additional fields, for any entity that has them (specialists,
clients): their types, the form field each type is typed into, the canonical text a value is
stored as, and the storing of an owner's values. The field definitions are
specialists.models.AdditionalField, told apart by `entity`; each entity keeps its values in a
table of its own with foreign keys `field` and the owner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class FieldType(models.TextChoices):
    TEXT = "text", gettext_lazy("Text")
    NUMBER = "number", gettext_lazy("Number")
    DATE = "date", gettext_lazy("Date")
    CHOICE = "choice", gettext_lazy("Choice")


class FieldDefinition(Protocol):
    pk: int
    label: str
    field_type: str
    required: bool

    @property
    def choice_list(self) -> list[str]: ...


def form_name(field: FieldDefinition) -> str:
    """The field's name in a form (and in a form's errors)."""
    return f"field_{field.pk}"


def form_field(field: FieldDefinition) -> forms.Field:
    common = {"label": field.label, "required": field.required}
    if field.field_type == FieldType.NUMBER:
        return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
    if field.field_type == FieldType.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
    if field.field_type == FieldType.CHOICE:
        choices = [("", "—"), *((c, c) for c in field.choice_list)]
        return forms.ChoiceField(**common, choices=choices)
    return forms.CharField(**common, max_length=500)


def value_clean(*, field: FieldDefinition, value: Any) -> str:
    """The canonical text form of `value` for `field` (ISO date, plain decimal), or
    ValidationError: exports and imports then need no per-type column."""
    if value is None or str(value).strip() == "":
        if field.required:
            raise ValidationError(_("“%(field)s” is required.") % {"field": field.label})
        return ""
    text = str(value).strip()
    if field.field_type == FieldType.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(
                _("“%(field)s” must be a number.") % {"field": field.label}
            ) from exc
        if not number.is_finite():
            raise ValidationError(_("“%(field)s” must be a number.") % {"field": field.label})
        return format(number.normalize(), "f")
    if field.field_type == FieldType.DATE:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise ValidationError(
                _("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": field.label}
            ) from exc
    if field.field_type == FieldType.CHOICE and text not in field.choice_list:
        raise ValidationError(
            _("“%(value)s” is not an option of “%(field)s”.")
            % {"value": text, "field": field.label}
        )
    return text


def values_store(
    *,
    fields: dict[int, FieldDefinition],
    values: dict[int, Any],
    value_model: type[models.Model],
    owner_name: str,
    owner: models.Model,
) -> None:
    """Stores `owner`'s values (by field id) of `fields`, the owner organization's fields
    for its entity: ids outside them are ignored, fields left out are untouched, empty
    values are removed. ValidationError, keyed by form_name(), before anything is written."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, str] = {}
    for field_id, raw in values.items():
        field = fields.get(field_id)
        if field is None:
            continue
        try:
            cleaned[field_id] = value_clean(field=field, value=raw)
        except ValidationError as exc:
            errors[form_name(field)] = exc.messages
    if errors:
        raise ValidationError(errors)
    value_model.objects.filter(
        **{owner_name: owner}, field_id__in=[k for k, v in cleaned.items() if not v]
    ).delete()
    value_model.objects.bulk_create(
        [value_model(**{owner_name: owner}, field_id=k, value=v) for k, v in cleaned.items() if v],
        update_conflicts=True,
        unique_fields=[owner_name, "field"],
        update_fields=["value"],
    )
