"""django-import-export resources for the Django admin, built from the same EntityFormat the
job engine uses: one definition of the columns, two front ends.

The admin serves every organization at once, so its files carry one more column, the
organization's slug, and every reference (group, project, client…) is looked up inside the
row's organization only."""

from __future__ import annotations

from import_export import fields, resources, widgets

from clients import cnpj as cnpj_rules
from importexport import columns as c
from tenancy.models import Organization

ORGANIZATION_HEADER = "Organização"


def _organization_of(row) -> Organization | None:
    slug = (row or {}).get(ORGANIZATION_HEADER)
    return Organization.objects.filter(slug=slug).first() if slug else None


class CnpjWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return cnpj_rules.normalize(super().clean(value, row, **kwargs) or "")


class TenantForeignKeyWidget(widgets.ForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.filter(organization=_organization_of(row))

    def clean(self, value, row=None, **kwargs):
        if self.field == "cnpj" and value:
            value = cnpj_rules.normalize(str(value))
        return super().clean(value, row, **kwargs)


class TenantManyToManyWidget(widgets.ManyToManyWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).filter(organization=_organization_of(row))


class TenantResource(resources.ModelResource):
    organization = fields.Field(
        attribute="organization",
        column_name=ORGANIZATION_HEADER,
        widget=widgets.ForeignKeyWidget(Organization, "slug"),
    )


def _field(column: c.Column) -> fields.Field:
    widget: widgets.Widget
    if column.kind == c.M2M:
        widget = TenantManyToManyWidget(
            column.related_model, separator=c.LIST_SEPARATOR, field=column.lookup
        )
    elif column.kind == c.FK:
        widget = TenantForeignKeyWidget(column.related_model, column.lookup)
    elif column.kind == c.BOOL:
        widget = widgets.BooleanWidget()
    elif column.kind == c.CNPJ:
        widget = CnpjWidget()
    else:
        widget = widgets.CharWidget()
    return fields.Field(attribute=column.field, column_name=column.header, widget=widget)


def tenant_resource(fmt: c.EntityFormat) -> type[resources.ModelResource]:
    """A ModelResource for `fmt`, keyed by organization plus the format's natural key."""
    # Shifts are a list of child rows, not a field django-import-export can assign.
    columns = [column for column in fmt.columns if column.kind != c.SHIFTS]
    meta = type(
        "Meta",
        (),
        {
            "model": fmt.model,
            "fields": ("organization", *(column.field for column in columns)),
            "import_id_fields": ("organization", *fmt.key),
            "skip_unchanged": True,
            "report_skipped": True,
        },
    )
    attrs = {column.field: _field(column) for column in columns}
    name = f"{fmt.model.__name__}Resource"
    return type(
        name, (TenantResource,), {**attrs, "Meta": meta, "__module__": fmt.model.__module__}
    )
