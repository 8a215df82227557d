from django.contrib import admin

from tenancy.admin import TenantAdminMixin, TenantImportExportAdmin
from tenancy.models import Organization
from terminals.figures import fleet_history_forget
from terminals.models import AlertEmail, DeviceType, Episode, Terminal
from terminals.resources import TerminalResource
from terminals.sanitize import sanitize_procedure


class FleetFiguresAdminMixin:
    """Drops the kept fleet figures (the dashboard's chart, availability and counts) of the
    organizations whose episodes or terminals a deletion or a change here rewrote in the
    past: they would go on showing the rows as they were."""

    def _forget(self, organization_ids) -> None:
        for organization in Organization.objects.filter(pk__in=set(organization_ids)):
            fleet_history_forget(organization=organization)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and self._moves(form):
            # Where the row was counted and where it is now (platform staff may move a row
            # to another organization).
            self._forget([form.initial.get("organization"), obj.organization_id])

    def _moves(self, form) -> bool:
        return "organization" in form.changed_data

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._forget([obj.organization_id])

    def delete_queryset(self, request, queryset):
        organizations = list(
            queryset.order_by().values_list("organization_id", flat=True).distinct()
        )
        super().delete_queryset(request, queryset)
        self._forget(organizations)


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
class TerminalAdmin(FleetFiguresAdminMixin, TenantImportExportAdmin):
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
class EpisodeAdmin(FleetFiguresAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ("terminal", "client", "started_at", "ended_at", "organization")
    list_filter = ("organization",)
    raw_id_fields = ("terminal", "client")
    readonly_fields = ("started_at", "ended_at", "last_heartbeat_at")
    inlines = [AlertEmailInline]
    show_full_result_count = False

    def _moves(self, form) -> bool:
        # The chart counts the terminals down in each bucket: an episode given to another
        # terminal may change that count.
        return bool({"organization", "terminal"} & set(form.changed_data))


@admin.register(AlertEmail)
class AlertEmailAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("recipient", "kind", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "kind", "organization")
    search_fields = ("recipient",)
    raw_id_fields = ("episode", "contact")
    show_full_result_count = False
