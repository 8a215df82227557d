from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from clients.models import Client, ClientGroup
from clients.resources import ClientResource


@admin.register(ClientGroup)
class ClientGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)


@admin.register(Client)
class ClientAdmin(ImportExportModelAdmin):
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
    search_fields = ("cnpj", "razao_social", "nome_fantasia", "conta", "email_wvds")
    filter_horizontal = ("projects", "groups")
    readonly_fields = ("code", "created_at", "updated_at", "created_by", "updated_by")
    show_full_result_count = False
