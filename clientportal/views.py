"""The client portal as a client's people see it: login, terms, their terminals, alerts,
catalogs and their own data. Everything past the login goes through
`portal_account_required`, and every row through a selector scoped to the account's client."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogs.services import CONTENT_TYPES
from clientportal import auth, selectors, services
from clientportal.auth import portal_account_required, portal_session_required
from clientportal.forms import (
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
    ResetRequestForm,
    TermsAcceptForm,
)
from portal import accounts
from portal.accounts import LinkRefused
from portal.backup import backup_filename, backup_zip_for_account
from specialists.services import password_policy
from tenancy.http import form_errors, refused_status
from tenancy.models import Organization
from terminals.emails import procedure_pdf

HOME_TEMPLATE = "clientportal/home.html"
REFUSALS = {
    auth.WRONG: gettext_lazy(
        "The e-mail or user name and the password do not match. Note that the password is "
        "case-sensitive."
    ),
    auth.DEACTIVATED: gettext_lazy(
        "Your access to this portal has been deactivated. Ask %(organization)s to give it back."
    ),
    auth.NOT_REGISTERED: gettext_lazy(
        "You are not registered in this portal yet. Use the activation link you received by "
        "e-mail, or ask %(organization)s for an invitation."
    ),
    auth.LOCKED: gettext_lazy(
        "Too many failed attempts to log in. Wait a few minutes and try again, or ask "
        "%(organization)s to unlock your access."
    ),
}
LINK_REFUSALS = {
    "unknown": gettext_lazy("This link is not valid: ask for a new one."),
    "used": gettext_lazy("This link was already used: ask for a new one if you need it."),
    "expired": gettext_lazy("This link has expired: ask for a new one."),
}


def _organization(slug: str) -> Organization:
    return get_object_or_404(Organization, slug=slug)


def _home_url(organization: Organization) -> str:
    return reverse("clientportal:home", args=[organization.slug])


def _next_url(request: HttpRequest, organization: Organization) -> str:
    """Where to go after the login or the terms: a page of this organization's portal the
    person asked for, else Início."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = reverse("clientportal:login", args=[organization.slug])
    if (
        target.startswith(prefix)
        and target != prefix
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return _home_url(organization)


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


# --- login, logout, language ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organization's onboarding address (Link de integração): its portal's login."""
    organization = _organization(org_slug)
    if request.method == "GET" and auth.session_account(request, organization) is not None:
        return redirect(_next_url(request, organization))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = auth.portal_authenticate(
            request,
            organization=organization,
            identifier=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if outcome.account is not None:
            auth.portal_login(request, outcome.account)
            return redirect(_next_url(request, organization))
        form.add_error(None, str(REFUSALS[outcome.refusal]) % {"organization": organization.name})
        status = (
            settings.AXES_HTTP_RESPONSE_CODE
            if outcome.refusal == auth.LOCKED
            else refused_status(request)
        )
    elif request.method == "POST":
        status = refused_status(request)
    context = {
        "organization": organization,
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "clientportal/login.html", context, status=status)


@require_POST
def logout(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = _organization(org_slug)
    auth.portal_logout(request)
    return redirect("clientportal:login", organization.slug)


@require_POST
@portal_session_required
def language(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        request.session[auth.LANGUAGE_KEY] = form.cleaned_data["language"]
    return redirect(_next_url(request, request.portal_organization))


# --- terms and conditions ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_session_required
def terms_accept(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organization's terms, to accept before anything else when they changed since the
    person last accepted them."""
    organization = request.portal_organization
    account = request.portal_account
    if not auth.terms_pending(account):
        return redirect(_next_url(request, organization))
    form = TermsAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.terms_accept(account=account)
        return redirect(_next_url(request, organization))
    context = {
        "form": form,
        "terms": accounts.terms_document(organization),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    status = refused_status(request) if request.method == "POST" else 200
    return render(request, "clientportal/terms.html", context, status=status)


# --- Início: the client's terminals --------------------------------------------------------


@require_GET
@portal_account_required
def home(request: HttpRequest, org_slug: str) -> HttpResponse:
    terminals = selectors.client_terminals(
        organization=request.portal_organization, client=request.portal_client
    )
    context = {"portal_tab": "home", "terminals": terminals}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{HOME_TEMPLATE}#terminals", context)
    context["device_types"] = selectors.device_types_of(terminals)
    return render(request, HOME_TEMPLATE, context)


@require_GET
@portal_account_required
def terminal_procedure(request: HttpRequest, org_slug: str, code: UUID) -> HttpResponse:
    """The reconnection procedure of the terminal's device type as a PDF (the one the alert
    e-mails attach)."""
    terminal = selectors.client_terminal_get(
        organization=request.portal_organization, client=request.portal_client, code=code
    )
    if terminal.device_type is None:
        raise Http404
    context = {
        "organization": request.portal_organization,
        "terminal": terminal,
        "client": terminal.client,
        "device_type": terminal.device_type,
        "episode": SimpleNamespace(last_heartbeat_at=terminal.last_heartbeat_at),
    }
    response = HttpResponse(procedure_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{terminal.identifier}.pdf"
    )
    return response


# --- Alertas -------------------------------------------------------------------------------


@require_GET
@portal_account_required
def alerts(request: HttpRequest, org_slug: str) -> HttpResponse:
    page = selectors.client_episodes_page(
        organization=request.portal_organization,
        client=request.portal_client,
        page=_page_number(request),
    )
    return render(request, "clientportal/alerts.html", {"portal_tab": "alerts", "page": page})


# --- Catálogos -----------------------------------------------------------------------------


@require_GET
@portal_account_required
def catalogs(request: HttpRequest, org_slug: str) -> HttpResponse:
    rows = selectors.client_catalogs(
        organization=request.portal_organization, client=request.portal_client
    )
    return render(
        request, "clientportal/catalogs.html", {"portal_tab": "catalogs", "catalogs": rows}
    )


@require_GET
@portal_account_required
def document(request: HttpRequest, org_slug: str, code: UUID) -> HttpResponse:
    """A document of a catalog released to the person's client: its link, or its file
    (never a public media address); PDFs and images open in the browser."""
    document = selectors.client_document_get(
        organization=request.portal_organization, client=request.portal_client, code=code
    )
    if document.is_link:
        return redirect(document.url)
    suffix = "." + document.file.name.rsplit(".", 1)[-1].lower()
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
        filename=document.file_name,
        as_attachment=request.GET.get("download") == "1",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Meus dados ----------------------------------------------------------------------------


def _profile_page(
    request: HttpRequest, form: PasswordChangeForm | None = None, status: int = 200
) -> HttpResponse:
    account = request.portal_account
    context = {
        "portal_tab": "profile",
        "account": account,
        "name": account.contact.name if account.contact_id else "",
        "form": form or PasswordChangeForm(),
        "policy": password_policy(password="", user=accounts.password_subject(account)),
    }
    return render(request, "clientportal/profile.html", context, status=status)


@require_GET
@portal_account_required
def profile(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _profile_page(request)


@require_POST
@portal_account_required
def password_change(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            account = services.account_password_change(
                account=request.portal_account,
                current=form.cleaned_data["current_password"],
                password=form.cleaned_data["password"],
                again=form.cleaned_data["password_again"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            auth.session_refresh(request, account)
            messages.success(request, _("Your password was changed."))
            return redirect("clientportal:profile", org_slug)
    return _profile_page(request, form=form, status=refused_status(request))


@require_GET
@portal_account_required
def backup(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Baixar meus dados: a contact's is the ZIP an operator downloads for them."""
    account = request.portal_account
    if account.contact_id:
        filename = backup_filename(account.contact)
    else:
        filename = f"{slugify(account.username) or 'dados'}.zip"
    response = StreamingHttpResponse(
        backup_zip_for_account(account=account), content_type="application/zip"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "no-store"
    return response


# --- password reset ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def reset_request(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = _organization(org_slug)
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def url_for(token: str) -> str:
            return request.build_absolute_uri(
                reverse("clientportal:reset_confirm", args=[organization.slug, token])
            )

        services.password_reset_request(
            organization=organization, identifier=form.cleaned_data["username"], url_for=url_for
        )
        return render(request, "clientportal/reset_sent.html", {"organization": organization})
    status = refused_status(request) if request.method == "POST" else 200
    context = {"organization": organization, "form": form}
    return render(request, "clientportal/reset_request.html", context, status=status)


@require_http_methods(["GET", "POST"])
def reset_confirm(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    organization = _organization(org_slug)
    try:
        link = services.reset_link_open(organization=organization, token=token)
    except LinkRefused as exc:
        return _link_refused(request, organization, exc.reason)
    account = link.account
    form = ResetPasswordForm(request.POST or None)
    with translation.override(auth.portal_language(request, account)):
        if request.method == "POST" and form.is_valid():
            try:
                services.password_reset_confirm(
                    organization=organization,
                    token=token,
                    password=form.cleaned_data["password"],
                    again=form.cleaned_data["password_again"],
                )
            except LinkRefused as exc:
                return _link_refused(request, organization, exc.reason)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Your new password is set: log in with it."))
                return redirect("clientportal:login", organization.slug)
        status = refused_status(request) if request.method == "POST" else 200
        context = {
            "organization": organization,
            "form": form,
            "account": account,
            "policy": password_policy(password="", user=accounts.password_subject(account)),
        }
        return render(request, "clientportal/reset_confirm.html", context, status=status)


def _link_refused(request: HttpRequest, organization: Organization, reason: str) -> HttpResponse:
    context = {"organization": organization, "message": LINK_REFUSALS[reason]}
    status = 404 if reason == "unknown" else 410
    return render(request, "clientportal/reset_refused.html", context, status=status)
