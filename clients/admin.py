from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clients.forms import ClientForm
from clients.models import Client, ClientGroup
from clients.resources import ClientResource
from clients.search import search_filter
from clients.services import client_fill_derived, client_prepare
from tenancy.admin import TenantAdminMixin, TenantImportExportAdmin


@admin.register(ClientGroup)
class ClientGroupAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)


class ClientAdminForm(ClientForm):
    """The admin writes the model itself, so the row rule runs here, before the model's own
    validation (CNPJ length, unique per organization) sees the values."""

    class Meta(ClientForm.Meta):
        fields = ["organization", "cnpj", *ClientForm.Meta.fields, "projects", "groups"]
        widgets: dict = {}

    def clean(self) -> dict:
        cleaned = super().clean()
        prepared = client_prepare(cleaned)
        for name in ("cnpj", "email_wvds"):
            if name in cleaned:
                cleaned[name] = prepared[name]
        return cleaned


@admin.register(Client)
class ClientAdmin(TenantImportExportAdmin):
    form = ClientAdminForm
    resource_classes = [ClientResource]
    list_display = (
        "razao_social",
        "nome_fantasia",
        "cnpj_formatted",
        "conta",
        "status",
        "organization",
    )
    list_filter = ("status", "organization")
    # Any non-empty tuple shows the search box; get_search_results does the searching.
    search_fields = ("search_text",)
    search_help_text = _("CNPJ, legal name, trade name, account or WVDS e-mail")
    filter_horizontal = ("projects", "groups")
    readonly_fields = ("code", "created_at", "updated_at", "created_by", "updated_by")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # The screen's search (trigram-indexed) instead of an ICONTAINS per field and word.
        if not search_term:
            return queryset, False
        return queryset.filter(search_filter(search_term)), False

    def save_model(self, request, obj, form, change):
        client_fill_derived(client=obj)
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
