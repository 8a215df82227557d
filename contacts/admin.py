from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from contacts.models import Contact
from contacts.resources import ContactResource
from contacts.services import CONTACT_FIELDS, contact_prepare
from tenancy.admin import TenantImportExportAdmin
from tenancy.http import form_errors


class ContactAdminForm(forms.ModelForm):
    """The admin writes the model itself, so the row rule runs here, its errors beside the
    fields, before the model's own validation sees the values."""

    class Meta:
        model = Contact
        fields = ["organization", "client", "name", "notes", "email", "phone", "auto_dispatch"]

    def clean(self) -> dict:
        cleaned = super().clean()
        try:
            prepared = contact_prepare(
                {name: cleaned[name] for name in CONTACT_FIELDS if name in cleaned}
            )
        except ValidationError as exc:
            form_errors(self, exc)
        else:
            cleaned.update(prepared)
            # Derived, not a field of this form: set on the instance the form saves.
            if "search_text" in prepared:
                self.instance.search_text = prepared["search_text"]
        return cleaned


@admin.register(Contact)
class ContactAdmin(TenantImportExportAdmin):
    form = ContactAdminForm
    resource_classes = [ContactResource]
    list_display = ("name", "email", "phone", "auto_dispatch", "client", "organization")
    list_filter = ("auto_dispatch", "organization")
    search_fields = ("name", "email", "phone", "client__razao_social")
    raw_id_fields = ("client",)
