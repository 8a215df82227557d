from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import ADDRESS_FIELDS, Client, Location
from clients.search import MAX_QUERY_LENGTH
from clients.selectors import CATALOGS, location_list
from clients.services import client_additional_fields
from specialists.forms import PhotoField
from tenancy import additional_fields
from tenancy.models import Language, Organization, Project


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


class ClientProfileForm(ClientForm):
    """The client's page: the Detalhes, Endereço and Adicional tabs (and the point on the
    map), saved by one button."""

    # Text, not the model's decimals: the row rule reads "-23,55" too, rounds to six places
    # and says which range a coordinate must be in.
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-map-lat": ""}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "data-map-lng": ""}),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("Choosing one fills in the Address tab, which you may then adjust."),
    )

    class Meta(ClientForm.Meta):
        fields = [
            *ClientForm.Meta.fields,
            "culture",
            "photo",
            *ADDRESS_FIELDS,
            "latitude",
            "longitude",
        ]
        field_classes = {"photo": PhotoField}
        widgets = {
            **ClientForm.Meta.widgets,
            "photo": forms.FileInput(attrs={"accept": "image/*"}),
        }

    field_order = ["cnpj", *ClientForm.Meta.fields, "culture", "location"]

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = location_list(organization=organization)
        self.fields["location"].empty_label = _("No location")
        self.fields["culture"].choices = [("", _("The organization's language")), *Language.choices]
        self.fields["culture"].help_text = _(
            "The language of what is sent to this client's people."
        )
        if self.instance.location_id:
            self.initial["location"] = self.instance.location.code
        self.additional_fields = list(client_additional_fields(organization=organization))
        for field in self.additional_fields:
            self.fields[additional_fields.form_name(field)] = additional_fields.form_field(field)
        if self.instance.pk and not self.is_bound:
            stored = dict(self.instance.additional_values.values_list("field_id", "value"))
            for field in self.additional_fields:
                self.initial[additional_fields.form_name(field)] = stored.get(field.pk, "")

    TABS = {
        "details": ("cnpj", *ClientForm.Meta.fields, "culture", "photo", "location"),
        "address": ADDRESS_FIELDS,
    }

    @property
    def details_fields(self):
        return [self[n] for n in ("cnpj", "razao_social", "nome_fantasia", "conta", "email_wvds")]

    @property
    def address_fields(self):
        return [self[n] for n in ADDRESS_FIELDS]

    @property
    def extra_fields(self):
        return [self[additional_fields.form_name(f)] for f in self.additional_fields]

    def tabs_with_errors(self) -> list[str]:
        """The profile tabs holding a field with an error, in tab order (the coordinates are
        on Detalhes)."""
        tabs = {
            "details": (*self.TABS["details"], "latitude", "longitude"),
            "address": ADDRESS_FIELDS,
            "additional": tuple(additional_fields.form_name(f) for f in self.additional_fields),
        }
        return [tab for tab, names in tabs.items() if any(n in self.errors for n in names)]

    def service_kwargs(self) -> dict:
        data = {n: self.cleaned_data[n] for n in self.Meta.fields if n != "photo"}
        data["cnpj"] = self.cleaned_data["cnpj"]
        data["location"] = self.cleaned_data.get("location")
        photo = self.cleaned_data.get("photo")
        # Only a new upload; an untouched file input keeps the current photo.
        data["photo"] = photo if photo and photo != self.initial.get("photo") else None
        data["additional"] = {
            f.pk: self.cleaned_data.get(additional_fields.form_name(f))
            for f in self.additional_fields
        }
        return data

    def _post_clean(self):
        # The service applies the row rule (client_prepare) and the model's checks, and its
        # errors come back on the fields; the instance must not change before that.
        pass


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CatalogEntryForm(forms.ModelForm):
    """An entry of one of the lists on the client's page; the service checks it (unique
    name, the address rule of a location)."""

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        if "projects" in self.fields:
            self.fields["projects"].queryset = Project.objects.for_org(organization)
            self.fields["projects"].help_text = _(
                "A client who joins the group is offered these projects too."
            )

    def _post_clean(self):
        pass


CATALOG_FIELDS = {
    "locations": ("name", *ADDRESS_FIELDS, "latitude", "longitude", "description"),
    "companies": ("name", "description"),
    "services": ("name", "service_code", "description"),
    "groups": ("name", "description", "projects"),
}


def catalog_form_class(model: type) -> type[CatalogEntryForm]:
    kind = next(kind for kind, m in CATALOGS.items() if m is model)
    widgets = {"description": forms.Textarea(attrs={"rows": 3})}
    if kind == "groups":
        widgets["projects"] = forms.CheckboxSelectMultiple
    return forms.modelform_factory(
        model, form=CatalogEntryForm, fields=CATALOG_FIELDS[kind], widgets=widgets
    )
