from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from terminals.models import DeviceType, Terminal
from terminals.resources import TerminalResource


@admin.register(DeviceType)
class DeviceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)


@admin.register(Terminal)
class TerminalAdmin(ImportExportModelAdmin):
    resource_classes = [TerminalResource]
    list_display = ("identifier", "name", "device_type", "status", "last_heartbeat_at", "client")
    list_filter = ("status", "device_type", "organization")
    search_fields = ("identifier", "name", "email_wvds")
    raw_id_fields = ("client",)
    show_full_result_count = False
