from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients import cnpj
from clients.models import Client
from tenancy.models import Organization
from terminals.models import DeviceType, Terminal
from terminals.sanitize import sanitize_procedure


class TerminalForm(forms.ModelForm):
    client_cnpj = forms.CharField(
        label=_("Client (CNPJ)"),
        required=False,
        max_length=20,
        help_text=_("Leave empty for a terminal without client."),
    )

    class Meta:
        model = Terminal
        fields = ["identifier", "name", "device_type", "email_wvds"]

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["device_type"].queryset = DeviceType.objects.for_org(organization)
        self.fields["device_type"].empty_label = _("— none —")
        if self.instance.client_id and not self.is_bound:
            self.initial["client_cnpj"] = self.instance.client.cnpj_formatted

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"].strip()
        taken = Terminal.objects.for_org(self.organization).filter(identifier=identifier)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another terminal already uses this identifier."))
        return identifier

    def clean_email_wvds(self) -> str:
        return (self.cleaned_data.get("email_wvds") or "").strip().lower()

    def clean_client_cnpj(self) -> Client | None:
        value = cnpj.normalize(self.cleaned_data.get("client_cnpj") or "")
        if not value:
            return None
        client = Client.objects.for_org(self.organization).filter(cnpj=value).first()
        if client is None:
            raise forms.ValidationError(_("No client with this CNPJ."))
        return client

    def clean(self) -> dict:
        cleaned = super().clean()
        client = cleaned.get("client_cnpj")
        email = cleaned.get("email_wvds")
        if client is not None and email is not None and (client.email_wvds or "").lower() != email:
            self.add_error(
                "client_cnpj",
                _("The client's WVDS e-mail (%(email)s) differs from the terminal's.")
                % {"email": client.email_wvds or "—"},
            )
        return cleaned

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["client"] = self.cleaned_data["client_cnpj"]
        return data


class TerminalFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Terminal.Status.choices],
    )
    device_type = forms.ModelChoiceField(
        label=_("Device type"),
        required=False,
        queryset=DeviceType.objects.none(),
        empty_label=_("All device types"),
        to_field_name="code",
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device_type"].queryset = DeviceType.objects.for_org(organization)


class DeviceTypeForm(forms.ModelForm):
    class Meta:
        model = DeviceType
        fields = ["name", "reconnection_procedure"]
        widgets = {"reconnection_procedure": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "reconnection_procedure": _(
                "HTML: numbered steps (<ol><li>…</li></ol>), headings, bold, links and images "
                "(https or pasted data: images). Anything else is removed on save."
            )
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = DeviceType.objects.for_org(self.organization).filter(name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("A device type with this name already exists."))
        return name

    def clean_reconnection_procedure(self) -> str:
        return sanitize_procedure(self.cleaned_data.get("reconnection_procedure") or "")
