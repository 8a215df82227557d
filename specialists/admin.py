from __future__ import annotations

from django.contrib import admin

from specialists.models import (
    AdditionalField,
    AdditionalFieldValue,
    Calendar,
    Feedback,
    Role,
    Shift,
    Specialist,
    SpecialistGroup,
)
from specialists.resources import SpecialistResource
from specialists.services import specialist_delete
from tenancy.admin import TenantAdminMixin, TenantImportExportAdmin


class ShiftInline(TenantAdminMixin, admin.TabularInline):
    model = Shift
    extra = 0
    fields = ("starts_on", "ends_on", "calendar")


class FeedbackInline(TenantAdminMixin, admin.TabularInline):
    model = Feedback
    extra = 0
    fields = ("text", "author", "created_at")
    readonly_fields = ("created_at",)


class AdditionalFieldValueInline(TenantAdminMixin, admin.TabularInline):
    model = AdditionalFieldValue
    extra = 0
    organization_path = "specialist__organization"


@admin.register(Specialist)
class SpecialistAdmin(TenantImportExportAdmin):
    resource_classes = [SpecialistResource]
    list_display = ("name", "email", "status", "culture", "organization")
    list_filter = ("status", "culture", "organization")
    search_fields = ("name", "email")
    filter_horizontal = ("projects", "groups", "roles")
    inlines = (ShiftInline, FeedbackInline, AdditionalFieldValueInline)

    # Through the service, so that a deleted specialist's login loses its access too.
    def delete_model(self, request, obj: Specialist) -> None:
        specialist_delete(organization=obj.organization, specialist=obj)

    def delete_queryset(self, request, queryset) -> None:
        for specialist in queryset.select_related("organization", "user"):
            specialist_delete(organization=specialist.organization, specialist=specialist)


@admin.register(Role, Calendar)
class NamedTenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "description", "organization")
    list_filter = ("organization",)
    search_fields = ("name", "description")


@admin.register(SpecialistGroup)
class SpecialistGroupAdmin(NamedTenantAdmin):
    filter_horizontal = ("projects",)


@admin.register(AdditionalField)
class AdditionalFieldAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("label", "field_type", "required", "position", "organization")
    list_filter = ("organization", "field_type")
    search_fields = ("label",)
