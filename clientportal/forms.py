from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _password(label, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("E-mail or user name"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = _password(_("Password"), "current-password")


class TermsAcceptForm(forms.Form):
    accept = forms.BooleanField(label=_("I have read and accept the terms and conditions"))


class PasswordChangeForm(forms.Form):
    current_password = _password(_("Current password"), "current-password")
    password = _password(_("New password"), "new-password")
    password_again = _password(_("Password (again)"), "new-password")


class ResetRequestForm(forms.Form):
    username = forms.CharField(
        label=_("E-mail or user name"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class ResetPasswordForm(forms.Form):
    password = _password(_("New password"), "new-password")
    password_again = _password(_("Password (again)"), "new-password")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
