from __future__ import annotations

from django.contrib import admin

from portal.models import PortalAccount
from tenancy.admin import TenantAdminMixin, ViewOnlyMixin


@admin.register(PortalAccount)
class PortalAccountAdmin(ViewOnlyMixin, TenantAdminMixin, admin.ModelAdmin):
    """Who may enter the portal, for looking up; statuses, invitations and credentials change
    on the Contatos screen, through portal.accounts (its status rules and e-mails)."""

    list_display = ("__str__", "kind", "status", "client", "invited_at", "last_login_at")
    list_filter = ("organization", "kind", "status")
    search_fields = ("username", "email", "contact__email", "contact__name")
    list_select_related = ("client", "contact")
    exclude = ("password",)
