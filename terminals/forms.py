from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients import cnpj
from clients.models import Client
from tenancy.models import Organization
from terminals.models import DeviceType, Terminal


class TerminalForm(forms.ModelForm):
    """Parses the screen's input; the rules (unique identifier, the client's WVDS e-mail,
    ownership) are the services' and come back through form_errors."""

    client = forms.CharField(
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
            self.initial["client"] = self.instance.client.cnpj_formatted

    def clean_client(self) -> Client | None:
        value = cnpj.normalize(self.cleaned_data.get("client") or "")
        if not value:
            return None
        client = Client.objects.for_org(self.organization).filter(cnpj=value).first()
        if client is None:
            raise forms.ValidationError(_("No client with this CNPJ."))
        return client

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "client"]}


class TerminalFilterForm(forms.Form):
    SORTS = [
        ("identifier", _("Identifier")),
        ("last_signal", _("Latest signal first")),
        ("-last_signal", _("Oldest signal first")),
        ("outage", _("Longest outage first")),
    ]

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
    client = forms.CharField(label=_("Client (CNPJ)"), required=False, max_length=20)
    maintenance = forms.BooleanField(label=_("In maintenance"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["device_type"].queryset = DeviceType.objects.for_org(organization)

    def clean_client(self) -> Client | None:
        value = cnpj.normalize(self.cleaned_data.get("client") or "")
        if not value:
            return None
        client = Client.objects.for_org(self.organization).filter(cnpj=value).first()
        if client is None:
            raise forms.ValidationError(_("No client with this CNPJ."))
        return client


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What is being done about it, for the other operators."),
    )


class MaintenanceForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            start = timezone.localtime().replace(second=0, microsecond=0)
            self.initial = {
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            }


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
