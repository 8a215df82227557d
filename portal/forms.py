from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import Client
from contacts.forms import ContactForm
from portal.accounts import NOTE_MAX_CHARS
from portal.models import (
    LINK_MB_PER_DAY_MAX,
    LINK_MB_PER_REQUEST_MAX,
    LINK_REQUESTS_PER_DAY_MAX,
    MB,
    PortalAccount,
    PortalSettings,
)
from servicerequests.forms import MultipleFileInput
from servicerequests.services import ACCEPT, BODY_MAX, SUBJECT_MAX

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


class GenericLinkSettingsForm(forms.Form):
    """The generic link's panel. The sizes are typed in MB; the bounds are the model's."""

    expires = forms.BooleanField(label=_("The link expires"), required=False)
    expires_on = forms.DateField(
        label=_("Last day the link works"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    max_requests_per_day = forms.IntegerField(
        label=_("Maximum requests per day"), min_value=1, max_value=LINK_REQUESTS_PER_DAY_MAX
    )
    max_mb_per_request = forms.IntegerField(
        label=_("Maximum attachment size per request (MB)"),
        min_value=1,
        max_value=LINK_MB_PER_REQUEST_MAX,
    )
    max_mb_per_day = forms.IntegerField(
        label=_("Maximum attachment size per day (MB)"), min_value=1, max_value=LINK_MB_PER_DAY_MAX
    )

    # What one press of − or + changes, per field.
    STEPS = {"max_requests_per_day": 1, "max_mb_per_request": 10, "max_mb_per_day": 50}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, step in self.STEPS.items():
            self.fields[name].step = step

    def clean(self):
        data = super().clean()
        if data.get("expires") and not data.get("expires_on"):
            self.add_error("expires_on", _("Choose the last day the link works."))
        return data

    @classmethod
    def for_portal(cls, portal: PortalSettings) -> GenericLinkSettingsForm:
        return cls(
            initial={
                "expires": portal.link_expires,
                "expires_on": portal.link_expires_on,
                "max_requests_per_day": portal.link_max_requests_per_day,
                "max_mb_per_request": portal.link_max_bytes_per_request // MB,
                "max_mb_per_day": portal.link_max_bytes_per_day // MB,
            }
        )

    @classmethod
    def stepped(cls, data, step: str) -> GenericLinkSettingsForm:
        """The posted values with one field moved by a − or + press ("field:-1" or
        "field:1"), kept within its bounds; nothing is saved."""
        data = data.copy()
        name, _sep, direction = step.partition(":")
        if name in cls.STEPS and direction in ("-1", "1"):
            field = cls.base_fields[name]
            try:
                value = int(data.get(name, ""))
            except ValueError:
                value = field.min_value
            value += int(direction) * cls.STEPS[name]
            data[name] = str(min(max(value, field.min_value), field.max_value))
        return cls(data)


class GenericRequestForm(forms.Form):
    """The generic link's public form: who asks, optionally for which company, and what.
    The files are read by the view, streamed and limited by servicerequests.uploads."""

    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    requester_email = forms.EmailField(label=_("Your e-mail"))
    client_cnpj = forms.CharField(
        label=_("Company's CNPJ (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "12.345.678/0001-95"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    description = forms.CharField(
        label=_("Description"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    files = forms.FileField(
        label=_("Attachments (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_client_cnpj(self) -> str:
        value = self.cleaned_data.get("client_cnpj", "").strip()
        if value and not cnpj_rules.is_valid(value):
            raise forms.ValidationError(_("This CNPJ is not valid: check its digits."))
        return cnpj_rules.format_cnpj(value) if value else ""

    def clean_files(self):
        # The view reads the files from request.FILES; request_submit checks each one.
        return None
