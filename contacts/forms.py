from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from contacts.phones import format_phone, normalize_phone


class ContactForm(forms.ModelForm):
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "(11) 91234-5678", "inputmode": "tel"}),
    )

    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "notes", "auto_dispatch"]
        labels = {
            "name": _("Name"),
            "notes": _("Remarks"),
            "email": _("E-mail"),
            "auto_dispatch": _("Automatic dispatch"),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_phone(self.instance.phone)

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone") or "")
        except ValueError:
            raise forms.ValidationError(
                _("Enter a valid phone number with area code, e.g. (11) 91234-5678.")
            ) from None

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("auto_dispatch") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _("Automatic dispatch needs an e-mail address."))
        return cleaned
