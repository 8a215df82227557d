"""The B2B user dialog of the client list (Firenze: Ações → "Cadastrar/Editar Usuário B2B")."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, trigger_client_event

from catalogs.selectors import catalog_choices, client_catalog_codes
from catalogs.services import catalogs_by_codes
from clients.models import Client
from clients.selectors import client_get
from portal import b2b
from portal.models import PortalAccount
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, form_errors, refused_status

TEMPLATE = "portal/b2b_user.html"
# The client list reloads its results on this event: the row's "B2B" badge appears.
CLIENTS_CHANGED = "clients:changed"


class B2BUserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User"), max_length=150, required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, widget=forms.EmailInput())
    password = forms.CharField(
        label=gettext_lazy("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Codes, not a ModelMultipleChoiceField: a code of another organization (or one deleted
    # meanwhile) must get the catalogs' own clear message, not "not a valid choice".
    catalogs = forms.MultipleChoiceField(
        label=gettext_lazy("Catalogs"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organization, client: Client, account: PortalAccount | None, **kw):
        super().__init__(*args, **kw)
        self.organization = organization
        self.account = account
        self.fields["catalogs"].choices = catalog_choices(organization=organization)
        # Any code reaches clean_catalogs, which resolves it inside the organization.
        self.fields["catalogs"].valid_value = lambda value: True
        if account is None:
            self.fields["username"].help_text = _("By default, the CNPJ root (first 8 characters).")
            self.fields["password"].help_text = _(
                "At least 6 characters; the client uses it to log in for the first time."
            )
        else:
            self.fields["username"].disabled = True
            self.fields["password"].help_text = _("Leave it blank to keep the current password.")
        if not self.is_bound:
            self.initial = {
                "username": account.username if account else b2b.b2b_username_default(client),
                "email": account.email if account else "",
                "catalogs": sorted(client_catalog_codes(client=client)),
            }

    def clean_catalogs(self):
        try:
            return catalogs_by_codes(
                organization=self.organization, codes=self.cleaned_data["catalogs"]
            )
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["catalogs"]) from exc


def _login_url(request: VigiaRequest) -> str:
    """The portal's login address (the onboarding link) for the notice e-mail."""
    try:
        return request.build_absolute_uri(
            reverse("clientportal:login", args=[request.organization.slug])
        )
    except NoReverseMatch:
        return ""


def _done(request: VigiaRequest) -> HttpResponse:
    """After a save in the dialog: close it, reload the list (the badge), show the toast."""
    response = render(request, "clients/_toasts_oob.html")
    reswap(response, "none")
    # In this order: closing the dialog first would detach the form, and the change event
    # would never bubble up to the list.
    trigger_client_event(response, CLIENTS_CHANGED)
    trigger_client_event(response, "vigia:close-modal")
    return response


@require_http_methods(["GET", "POST"])
@member_required
def b2b_user(request: VigiaRequest, code: UUID) -> HttpResponse:
    client = client_get(organization=request.organization, code=code)
    account = b2b.b2b_user_get(client=client)
    form = B2BUserForm(
        request.POST or None, organization=request.organization, client=client, account=account
    )
    if request.method == "POST" and form.is_valid():
        try:
            b2b.b2b_user_save(
                organization=request.organization,
                client=client,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                catalogs=form.cleaned_data["catalogs"],
                login_url=_login_url(request),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if account is None:
                message = _("B2B user created for “%(name)s”; the notice e-mail is on its way.")
            else:
                message = _("B2B user of “%(name)s” updated.")
            messages.success(request, message % {"name": client})
            return _done(request) if request.htmx else redirect("clients:list")
    context = {
        "client": client,
        "account": account,
        "form": form,
        "policy": b2b.b2b_password_policy(request.POST.get("password", "")),
    }
    status = refused_status(request) if request.method == "POST" else 200
    if request.htmx:
        partial = "form" if request.method == "POST" else "dialog"
        return render(request, f"{TEMPLATE}#{partial}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


@require_POST
@member_required
def b2b_password_check(request: VigiaRequest) -> HttpResponse:
    """The B2B password checklist for what is typed so far, item by item."""
    policy = b2b.b2b_password_policy(request.POST.get("password", ""))
    return render(request, "specialists/_password_policy.html", {"policy": policy})
