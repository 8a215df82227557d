from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from specialists.models import ADDRESS_FIELDS, AdditionalField, Calendar, Shift, Specialist
from specialists.selectors import additional_field_list
from tenancy import additional_fields
from tenancy.images import photo_check
from tenancy.models import Organization, Project


class PhotoField(forms.ImageField):
    def to_python(self, data):
        # Size, type and dimensions from the header before Pillow decodes anything: a huge
        # upload, or a small file declaring a huge picture, is refused without decoding it.
        if data:
            photo_check(data)
        return super().to_python(data)


class SpecialistForm(forms.ModelForm):
    """Details, address and additional fields: the three tabs saved by one button."""

    password = forms.CharField(
        label=_("Login password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_("Optional. Lets the specialist sign in with the e-mail and this password."),
    )

    class Meta:
        model = Specialist
        fields = ("name", "email", "status", "culture", "photo", *ADDRESS_FIELDS)
        field_classes = {"photo": PhotoField}
        widgets = {
            "photo": forms.FileInput(attrs={"accept": "image/*"}),
            "status": forms.RadioSelect,
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.additional_fields = list(additional_field_list(organization=organization))
        initial = kwargs.get("initial") or {}
        for field in self.additional_fields:
            self.fields[f"field_{field.pk}"] = additional_fields.form_field(field)
            self.initial.setdefault(f"field_{field.pk}", initial.get(f"field_{field.pk}", ""))

    @property
    def details_fields(self):
        return [self[n] for n in ("name", "email", "status", "culture", "password")]

    @property
    def address_fields(self):
        return [self[n] for n in ADDRESS_FIELDS]

    @property
    def extra_fields(self):
        return [self[f"field_{f.pk}"] for f in self.additional_fields]

    def tabs_with_errors(self) -> list[str]:
        """The profile tabs holding a field with an error, in tab order."""
        tabs = {
            "details": ("name", "email", "status", "culture", "photo", "password"),
            "address": ADDRESS_FIELDS,
            "additional": tuple(f"field_{f.pk}" for f in self.additional_fields),
        }
        return [tab for tab, names in tabs.items() if any(n in self.errors for n in names)]

    def additional_values(self) -> dict[int, object]:
        return {f.pk: self.cleaned_data.get(f"field_{f.pk}") for f in self.additional_fields}

    def service_kwargs(self) -> dict:
        data = {n: self.cleaned_data[n] for n in ("name", "email", "status", "culture")}
        data.update({n: self.cleaned_data[n] for n in ADDRESS_FIELDS})
        photo = self.cleaned_data.get("photo")
        return {
            **data,
            "password": self.cleaned_data.get("password") or "",
            # Only a new upload; an untouched file input keeps the current photo.
            "photo": photo if photo and photo != self.initial.get("photo") else None,
            "additional": self.additional_values(),
        }


class ShiftForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ("starts_on", "ends_on", "calendar")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = Calendar.objects.for_org(organization)
        self.fields["calendar"].empty_label = _("Choose a calendar")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("“Until” cannot be before “From”."))
        return data

    def _post_clean(self):
        # The model's own checks run in the service, which knows the specialist.
        pass


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CatalogForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SpecialistGroupForm(CatalogForm):
    projects = forms.ModelMultipleChoiceField(
        label=_("Projects"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A specialist who joins the group is offered these projects too."),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = Project.objects.for_org(organization).order_by("name")


def catalog_form(kind: str, *args, organization: Organization, **kwargs) -> CatalogForm:
    """The form of an entry of the `kind` catalog: a specialist group has projects too."""
    if kind == "specialist-groups":
        return SpecialistGroupForm(*args, organization=organization, **kwargs)
    return CatalogForm(*args, **kwargs)


class AdditionalFieldForm(forms.ModelForm):
    class Meta:
        model = AdditionalField
        fields = ("label", "field_type", "choices", "required", "position")
        widgets = {"choices": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self):
        # Uniqueness per organization is checked by the service, which knows the organization.
        pass
