from __future__ import annotations

from django import forms
from django.contrib import admin

from catalogs.models import Catalog, CatalogDocument
from tenancy.admin import TenantAdminMixin
from tenancy.services import ownership_check


class CatalogDocumentInline(TenantAdminMixin, admin.TabularInline):
    model = CatalogDocument
    fields = ("title", "file", "url", "order")
    readonly_fields = ("file", "url")
    extra = 0
    # Documents are added on the catalog's screen, where the file's content and the link's
    # scheme are checked (catalogs.services); here they are listed, reordered or removed.
    max_num = 0


class CatalogAdminForm(forms.ModelForm):
    class Meta:
        model = Catalog
        fields = ["organization", "name", "description", "order", "clients"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("organization"):
            ownership_check(cleaned["organization"], *cleaned.get("clients", []))
        return cleaned


@admin.register(Catalog)
class CatalogAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = CatalogAdminForm
    list_display = ("name", "organization", "order")
    list_filter = ("organization",)
    search_fields = ("name",)
    raw_id_fields = ("clients",)
    inlines = [CatalogDocumentInline]
