from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from tenancy.models import Organization, Project, User


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


class ProjectForm(forms.ModelForm):
    """A project's name, to create or rename it (tenancy.services checks it is free)."""

    class Meta:
        model = Project
        fields = ["name"]


class LoginForm(AuthenticationForm):
    """The back office's login: its "username" field takes an e-mail or a user name
    (tenancy.auth.EmailOrUsernameBackend)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct e-mail or user name and password. Note that the password "
            "is case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail or user name")
        # AuthenticationForm caps the field at a user name's length; an e-mail may be longer.
        username.max_length = User._meta.get_field("email").max_length
        username.widget.attrs["maxlength"] = username.max_length


class ThrottledPasswordResetForm(PasswordResetForm):
    """Sends at most one reset e-mail per address every PASSWORD_RESET_THROTTLE_MINUTES. The
    page answers the same either way, as it does for an unknown address."""

    def save(self, *args, **kwargs) -> None:
        email = self.cleaned_data["email"].strip().lower()
        # Hashed: the key holds no address, and any e-mail makes a valid cache key.
        key = "password-reset:" + hashlib.sha256(email.encode()).hexdigest()
        # add() is atomic: of two simultaneous requests only one finds the key absent.
        if cache.add(key, True, timeout=settings.PASSWORD_RESET_THROTTLE_MINUTES * 60):
            super().save(*args, **kwargs)
