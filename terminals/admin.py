from django.contrib import admin

from tenancy.admin import TenantAdminMixin, TenantImportExportAdmin
from terminals.models import AlertEmail, DeviceType, Episode, Terminal
from terminals.resources import TerminalResource
from terminals.sanitize import sanitize_procedure


@admin.register(DeviceType)
class DeviceTypeAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        # The admin writes the same sanitized HTML as the device type screen.
        obj.reconnection_procedure = sanitize_procedure(obj.reconnection_procedure)
        super().save_model(request, obj, form, change)


@admin.register(Terminal)
class TerminalAdmin(TenantImportExportAdmin):
    resource_classes = [TerminalResource]
    list_display = ("identifier", "name", "device_type", "status", "last_heartbeat_at", "client")
    list_filter = ("status", "device_type", "organization")
    search_fields = ("identifier", "name", "email_wvds")
    raw_id_fields = ("client",)
    readonly_fields = ("status", "last_heartbeat_at", "alert_after")
    show_full_result_count = False


class AlertEmailInline(TenantAdminMixin, admin.TabularInline):
    model = AlertEmail
    fields = ("kind", "recipient", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Episode)
class EpisodeAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("terminal", "client", "started_at", "ended_at", "organization")
    list_filter = ("organization",)
    raw_id_fields = ("terminal", "client")
    readonly_fields = ("started_at", "ended_at", "last_heartbeat_at")
    inlines = [AlertEmailInline]
    show_full_result_count = False


@admin.register(AlertEmail)
class AlertEmailAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("recipient", "kind", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "kind", "organization")
    search_fields = ("recipient",)
    raw_id_fields = ("episode", "contact")
    show_full_result_count = False
