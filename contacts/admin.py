from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from contacts.models import Contact
from contacts.resources import ContactResource


@admin.register(Contact)
class ContactAdmin(ImportExportModelAdmin):
    resource_classes = [ContactResource]
    list_display = ("name", "email", "phone", "auto_dispatch", "client", "organization")
    list_filter = ("auto_dispatch", "organization")
    search_fields = ("name", "email", "phone", "client__razao_social")
    raw_id_fields = ("client",)
