from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import Client
from contacts.forms import ContactForm
from portal.accounts import NOTE_MAX_CHARS
from portal.models import PortalAccount

STATUS_CHOICES = [("", _("All statuses")), *PortalAccount.Status.choices]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)


class DirectoryContactForm(ContactForm):
    """Adicionar contato on the Contatos screen: a person who may get portal access, so an
    e-mail is required; the company (a client, by CNPJ) is optional."""

    company = forms.CharField(
        label=_("Company (client's CNPJ)"),
        required=False,
        max_length=20,
        help_text=_("Optional. Contacts without a company receive no terminal alerts."),
        widget=forms.TextInput(attrs={"placeholder": "12.345.678/0001-95"}),
    )

    class Meta(ContactForm.Meta):
        fields = ["name", "email"]

    field_order = ["name", "email", "phone", "company"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["email"].required = True

    def clean_company(self) -> Client | None:
        value = self.cleaned_data.get("company", "").strip()
        if not value:
            return None
        client = (
            Client.objects.for_org(self.organization)
            .filter(cnpj=cnpj_rules.normalize(value))
            .first()
        )
        if client is None:
            raise forms.ValidationError(_("No client of this organization has this CNPJ."))
        return client


class InvitationForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    note = forms.CharField(
        label=_("Personal note (optional)"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContactsImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Choose a .csv file, as the template (users_template.csv).")
            )
        return upload


class PortalSettingsForm(forms.Form):
    activation_hours = forms.IntegerField(
        label=_("Activation link validity (hours)"),
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("From 1 to 720 hours (30 days)."),
    )


class TermsForm(forms.Form):
    terms = forms.FileField(
        label=_("Terms and conditions (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class ActivationForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(label=_("I accept the terms and conditions"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
