from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import Client
from clients.search import MAX_QUERY_LENGTH


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _("Type at most %(limit_value)d characters; the rest was ignored.")
        },
    )

    def query(self) -> str:
        """What to search for, cut to the allowed length when the input was too long."""
        if self.is_valid():
            return self.cleaned_data["q"]
        return str(self.data.get("q", ""))[:MAX_QUERY_LENGTH].strip()


class ClientForm(forms.ModelForm):
    """The client's fields as typed; clients.services normalizes them (client_prepare) and
    checks the rest (duplicate CNPJ), its errors coming back on the fields."""

    # Not the model's field: that one holds the 14 normalized characters, operators paste
    # "12.ABC.345/01DE-35". The validator is the model's, which accepts both spellings.
    cnpj = forms.CharField(
        label=_("CNPJ"),
        max_length=24,
        validators=[cnpj_rules.validate_cnpj],
        help_text=_("Numeric or alphanumeric, with or without punctuation."),
    )

    class Meta:
        model = Client
        fields = ["razao_social", "nome_fantasia", "conta", "email_wvds", "status", "anotacoes"]
        widgets = {
            "status": forms.RadioSelect,
            "anotacoes": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["cnpj", *Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["cnpj"] = self.instance.cnpj_formatted
