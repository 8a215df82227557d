from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

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


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    fields = ("starts_on", "ends_on", "calendar")


class FeedbackInline(admin.TabularInline):
    model = Feedback
    extra = 0
    fields = ("text", "author", "created_at")
    readonly_fields = ("created_at",)


class AdditionalFieldValueInline(admin.TabularInline):
    model = AdditionalFieldValue
    extra = 0


@admin.register(Specialist)
class SpecialistAdmin(ImportExportModelAdmin):
    resource_classes = [SpecialistResource]
    list_display = ("name", "email", "status", "culture", "organization")
    list_filter = ("status", "culture", "organization")
    search_fields = ("name", "email")
    filter_horizontal = ("projects", "groups", "roles")
    inlines = (ShiftInline, FeedbackInline, AdditionalFieldValueInline)


@admin.register(SpecialistGroup, Role, Calendar)
class NamedTenantAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "organization")
    list_filter = ("organization",)
    search_fields = ("name", "description")


@admin.register(AdditionalField)
class AdditionalFieldAdmin(admin.ModelAdmin):
    list_display = ("label", "field_type", "required", "position", "organization")
    list_filter = ("organization", "field_type")
    search_fields = ("label",)
