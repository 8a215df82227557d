from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from catalogs.models import Catalog, CatalogDocument


class CatalogForm(forms.ModelForm):
    class Meta:
        model = Catalog
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DocumentForm(forms.ModelForm):
    """A document's title and either a file or a link; catalogs.services checks the file's
    content and size and the link's scheme."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    url = forms.CharField(
        label=_("or a link"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = CatalogDocument
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG or JPEG, up to %(limit)s MB.") % {
            "limit": settings.CATALOG_DOCUMENT_MAX_BYTES // (1024 * 1024)
        }
