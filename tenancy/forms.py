from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "language",
            "alert_grace_minutes",
            "sender_email",
            "send_reconnected_email",
        ]
        widgets = {"alert_grace_minutes": forms.NumberInput(attrs={"min": 1, "max": 1440})}

    def clean_alert_grace_minutes(self) -> int:
        minutes = self.cleaned_data["alert_grace_minutes"]
        # Under a minute the beat sweep (every minute) could not honour it; over a day it hides outages.
        if not 1 <= minutes <= 1440:
            raise forms.ValidationError(
                _("Choose between 1 and 1,440 minutes (one day)."), code="range"
            )
        return minutes
