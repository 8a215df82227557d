from __future__ import annotations

from django import forms

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
