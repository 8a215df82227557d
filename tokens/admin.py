from django.contrib import admin

from tenancy.admin import TenantAdminMixin
from tokens.models import IntegrationToken


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("description", "prefix", "specialist", "expires_at", "last_used_at")
    list_filter = ("organization",)
    search_fields = ("description", "prefix", "specialist__name")
    # The hash is useless to an admin and must never be edited by hand.
    exclude = ("token_hash",)
    readonly_fields = ("prefix", "last_used_at", "created_at")

    def has_add_permission(self, request) -> bool:
        # Tokens are issued on the specialist screen, where the secret is shown once.
        return False
