from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from contacts.phones import format_phone


class ContactForm(forms.ModelForm):
    """The contact's fields as typed; contacts.services.contact_prepare normalizes and
    checks them (e-mail, phone, automatic dispatch), and its errors come back on the fields."""

    # Not a model field here: the model stores E.164 (20 characters at most), operators type
    # "(11) 91234-5678" and longer spellings, which the service turns into E.164.
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "(11) 91234-5678", "inputmode": "tel"}),
    )

    class Meta:
        model = Contact
        fields = ["name", "email", "notes", "auto_dispatch"]
        labels = {
            "name": _("Name"),
            "notes": _("Remarks"),
            "email": _("E-mail"),
            "auto_dispatch": _("Automatic dispatch"),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    field_order = ["name", "email", "phone", "notes", "auto_dispatch"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_phone(self.instance.phone)
