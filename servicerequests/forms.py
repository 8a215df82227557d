from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servicerequests.models import ServiceRequest
from servicerequests.services import ACCEPT, BODY_MAX, SUBJECT_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class RequestForm(forms.Form):
    """A portal person's new request. The files are read from request.FILES by the view
    (streamed and limited by servicerequests.uploads) and checked by request_submit."""

    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    files = forms.FileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_files(self):
        # request_submit checks every file; the field only shows its errors.
        return None


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ServiceRequest.Status.choices)
    reason = forms.CharField(
        label=_("Reason for refusal"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
