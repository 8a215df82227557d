from django.contrib import admin

from contacts.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "auto_dispatch", "client", "organization")
    list_filter = ("auto_dispatch", "organization")
    search_fields = ("name", "email", "phone", "client__razao_social")
    raw_id_fields = ("client",)
