from __future__ import annotations

from django.contrib import admin

from servicerequests.models import RequestAttachment, RequestEvent, ServiceRequest
from tenancy.admin import TenantAdminMixin, ViewOnlyMixin


class AttachmentInline(ViewOnlyMixin, admin.TabularInline):
    model = RequestAttachment
    fields = ("name", "size", "content_type", "created_at")
    readonly_fields = fields
    extra = 0


class EventInline(ViewOnlyMixin, admin.TabularInline):
    model = RequestEvent
    fields = ("created_at", "kind", "author", "by_requester", "status_from", "status_to", "body")
    readonly_fields = fields
    extra = 0


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ViewOnlyMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "status", "client", "requester_email", "via_link", "created_at")
    list_filter = ("organization", "status", "via_link")
    search_fields = ("subject", "requester_name", "requester_email")
    list_select_related = ("client",)
    inlines = [AttachmentInline, EventInline]
