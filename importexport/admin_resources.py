"""django-import-export resources for the Django admin, built from the same EntityFormat the
job engine uses: one definition of the columns, two front ends.

The admin serves several organizations at once, so its files carry one more column, the
organization's slug, and every reference (group, project, client…) is looked up inside the
row's organization only. A resource made for an organization's admin (organization_ids)
reads and writes the rows of those organizations only: a row naming another organization,
or a reference found only in another one, fails. Every row goes through the format's row rule, its check across
tables and the model's validation before it is saved: a refused row is reported and nothing of it is stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from importexport import columns as c
from tenancy.models import Organization

ORGANIZATION_HEADER = "Organização"


class ScopedWidget:
    """A widget that looks rows up inside the resource's organizations (set by the resource
    on its own copy of the field: None means every organization)."""

    organization_ids: list[int] | None = None

    def organizations(self):
        organizations = Organization.objects.all()
        if self.organization_ids is not None:
            organizations = organizations.filter(pk__in=self.organization_ids)
        return organizations

    def organization_of(self, row) -> Organization | None:
        slug = (row or {}).get(ORGANIZATION_HEADER)
        return self.organizations().filter(slug=slug).first() if slug else None


class OrganizationWidget(ScopedWidget, widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Organization, "slug")

    def get_queryset(self, value, row, *args, **kwargs):
        return self.organizations()


class IdentifierWidget(widgets.CharWidget):
    """A coded identifier (the CNPJ) spelled the way it is stored."""

    def __init__(self, identifier: c.Identifier, **kwargs) -> None:
        super().__init__(**kwargs)
        self.identifier = identifier

    def clean(self, value, row=None, **kwargs):
        # From the cell itself: CharWidget would write a number cell as "…0195.0".
        return self.identifier.clean(value, c.cell_text(value))


class TenantForeignKeyWidget(ScopedWidget, widgets.ForeignKeyWidget):
    def __init__(self, model, field: str, identifier: c.Identifier | None = None) -> None:
        super().__init__(model, field)
        self.identifier = identifier

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.filter(organization=self.organization_of(row))

    def clean(self, value, row=None, **kwargs):
        if self.identifier is not None and value:
            value = self.identifier.clean(value, c.cell_text(value))
        return super().clean(value, row, **kwargs)


class TenantManyToManyWidget(ScopedWidget, widgets.ManyToManyWidget):
    """Names read as the job import reads them, inside the row's organization; a name not
    found there fails the row, as in the job import, rather than being left out."""

    def __init__(self, column: c.Column) -> None:
        super().__init__(column.related_model, separator=c.LIST_SEPARATOR, field=column.lookup)
        self.column = column

    def clean(self, value, row=None, **kwargs):
        names = self.column.parse(value) or frozenset()
        found = self.model.objects.filter(
            organization=self.organization_of(row), **{f"{self.field}__in": names}
        )
        unknown = names - set(found.values_list(self.field, flat=True))
        if unknown:
            raise ValueError(c.unknown_names_message(self.column, list(unknown)))
        return found


class TenantResource(resources.ModelResource):
    organization = fields.Field(
        attribute="organization", column_name=ORGANIZATION_HEADER, widget=OrganizationWidget()
    )
    entity_format: c.EntityFormat

    def __init__(self, organization_ids: list[int] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.organization_ids = organization_ids
        # self.fields is this instance's copy: the scope does not leak to other imports.
        for field in self.fields.values():
            if isinstance(field.widget, ScopedWidget):
                field.widget.organization_ids = organization_ids

    def get_queryset(self):
        # The rows an import may update and an export may write.
        queryset = super().get_queryset()
        if self.organization_ids is not None:
            queryset = queryset.filter(organization__in=self.organization_ids)
        return queryset

    def before_import_row(self, row, **kwargs):
        """The row's key cells through the row rule before the record is looked up, so that a
        differently spelled key (an upper-case e-mail) finds its record instead of adding a
        second one."""
        fmt = self.entity_format
        if fmt.prepare is None:
            return
        keys = {
            column.field: row[column.header]
            for column in fmt.key_columns
            if column.kind != c.FK and isinstance(row.get(column.header), str)
        }
        try:
            prepared = fmt.prepare(keys)
        except ValidationError:
            return  # import_instance() reports it as the row's error
        for column in fmt.key_columns:
            if column.field in keys:
                row[column.header] = prepared[column.field]

    def import_instance(self, instance, row, **kwargs):
        """Sets the row's fields, then applies the format's row rule and its check across
        tables, before django-import-export validates the instance (clean_model_instances):
        the model's checks see the normalized values, and a value a rule refuses fails the
        row."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # django-import-export reads name lists only after saving the record, where a refusal
        # would abort the whole file: they are checked here, failing only their row.
        for field in self.get_import_fields():
            if isinstance(field.widget, TenantManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors = ValidationError({field.attribute: str(exc)}).update_error_dict(errors)
        fmt = self.entity_format
        attnames = _attnames(fmt)
        if fmt.prepare is not None:
            # Fields the file left in error are not handed to the rule.
            names = [name for field, name in attnames.items() if field not in errors]
            try:
                prepared = fmt.prepare({name: getattr(instance, name) for name in names})
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            else:
                for name, value in prepared.items():
                    setattr(instance, name, value)
        if fmt.check is not None and not errors:
            record = {name: getattr(instance, name) for name in attnames.values()}
            refused = fmt.check(organization_id=instance.organization_id, records=[record])
            if refused:
                errors = refused[0].update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if self.entity_format.written is not None and not kwargs.get("dry_run"):
            self.entity_format.written(organization_id=instance.organization_id, ids=[instance.pk])


def _attnames(fmt: c.EntityFormat) -> dict[str, str]:
    """The format's single-valued fields → the instance attribute holding each (an id for a
    reference)."""
    return {
        column.field: fmt.model._meta.get_field(column.field).attname
        for column in fmt.columns
        if not column.multiple
    }


def _field(column: c.Column) -> fields.Field:
    widget: widgets.Widget
    if column.kind == c.M2M:
        widget = TenantManyToManyWidget(column)
    elif column.kind == c.FK:
        widget = TenantForeignKeyWidget(column.related_model, column.lookup, column.identifier)
    elif column.kind == c.BOOL:
        widget = widgets.BooleanWidget()
    elif column.kind == c.CODE:
        widget = IdentifierWidget(column.identifier)
    else:
        widget = widgets.CharWidget()
    return fields.Field(attribute=column.field, column_name=column.header, widget=widget)


def tenant_resource(fmt: c.EntityFormat) -> type[resources.ModelResource]:
    """A ModelResource for `fmt`, keyed by organization plus the format's natural key."""
    # Child rows (shifts) are not a field django-import-export can assign.
    columns = [column for column in fmt.columns if column.children is None]
    meta = type(
        "Meta",
        (),
        {
            "model": fmt.model,
            "fields": ("organization", *(column.field for column in columns)),
            "import_id_fields": ("organization", *fmt.key),
            "skip_unchanged": True,
            "report_skipped": True,
            # The model's own checks (CNPJ, e-mail, choices) refuse a bad row.
            "clean_model_instances": True,
        },
    )
    attrs = {column.field: _field(column) for column in columns}
    name = f"{fmt.model.__name__}Resource"
    return type(
        name,
        (TenantResource,),
        {**attrs, "entity_format": fmt, "Meta": meta, "__module__": fmt.model.__module__},
    )
