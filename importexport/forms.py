from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from importexport.registry import formats

VARIANT_CHOICES = [
    ("empty", _("Empty format (creation of records and relationships)")),
    ("data", _("With data (update of records and their relationships)")),
    ("data_plain", _("With data, without relationships/shifts (update of the records alone)")),
]


def _entity_choices() -> list[tuple[str, str]]:
    return [(name, fmt.label) for name, fmt in formats().items()]


class ExportForm(forms.Form):
    entity = forms.ChoiceField(choices=_entity_choices, widget=forms.HiddenInput)
    variant = forms.ChoiceField(
        label=_("Format"), choices=VARIANT_CHOICES, initial="empty", widget=forms.RadioSelect
    )


class ImportForm(forms.Form):
    entity = forms.ChoiceField(choices=_entity_choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("File (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
