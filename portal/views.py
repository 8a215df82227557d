"""The back office's Contatos screen (contacts and their portal accounts) and the portal's
activation page. B2B users have their own views (portal.b2b)."""

from __future__ import annotations

from uuid import UUID

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, trigger_client_event

from contacts import services as contact_services
from importexport import services as import_services
from importexport.xlsx import FileError
from portal import accounts, generic_link
from portal.backup import backup_filename, backup_zip
from portal.forms import (
    ActivationForm,
    ContactsImportForm,
    DirectoryContactForm,
    DirectorySearchForm,
    GenericLinkSettingsForm,
    InvitationForm,
    PortalSettingsForm,
    TermsForm,
)
from portal.models import PortalSettings, portal_settings_for
from portal.selectors import contact_directory_filter, contact_directory_page, directory_contact_get
from specialists.services import password_policy
from tenancy.association import selection_parse, selection_rows
from tenancy.decorators import admin_required, member_required
from tenancy.http import VigiaRequest, form_errors, query_param, refused_status
from tenancy.models import Organization
from tenancy.text import CONTROL_CHARACTERS

LIST_TEMPLATE = "portal/contacts.html"
DIALOGS_TEMPLATE = "portal/contact_dialogs.html"
ACTIVATION_TEMPLATE = "portal/activate.html"
# The results region listens for it and reloads itself with the current search.
CHANGED_EVENT = "portal:contacts-changed"
CLOSE_DIALOG_EVENT = "vigia:close-dialog"
CSV_FORMAT = "contacts_csv"
TEMPLATE_FILENAME = "users_template.csv"


def _page_number(request: VigiaRequest) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def _wants_fragment(request: VigiaRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _list_url() -> str:
    return reverse("portal:contacts")


def onboarding_url(request: VigiaRequest, organization: Organization) -> str:
    return request.build_absolute_uri(reverse("clientportal:login", args=[organization.slug]))


def generic_link_url(request, organization: Organization, portal: PortalSettings) -> str:
    return request.build_absolute_uri(
        reverse("portal:generic_link", args=[organization.slug, portal.link_token])
    )


def generic_link_panel_context(
    request: VigiaRequest, form: GenericLinkSettingsForm | None = None
) -> dict:
    """What the generic link's panel shows: its address and settings."""
    portal = portal_settings_for(request.organization)
    return {
        "portal": portal,
        "link_url": generic_link_url(request, request.organization, portal),
        "link_form": form or GenericLinkSettingsForm.for_portal(portal),
        "link_expired": generic_link.generic_link_expired(portal),
    }


def contacts_changed(request: VigiaRequest) -> HttpResponse:
    """After a change made in a dialog: close it, reload the list in place, show the toast;
    a plain post goes back to the list."""
    if not request.htmx:
        return redirect(_list_url())
    response = render(request, "clients/_toasts_oob.html")
    reswap(response, "none")
    trigger_client_event(response, CHANGED_EVENT)
    return trigger_client_event(response, CLOSE_DIALOG_EVENT)


def _dialog(
    request: VigiaRequest, partial: str, context: dict, status: int = 200, *, refill: bool = False
) -> HttpResponse:
    """A dialog's content: the native <dialog> alone for htmx (only what is inside it when
    `refill`, for a form posted from the open dialog), else a page around it."""
    context = {**context, "dialog": partial}
    if request.htmx:
        name = f"{partial}-body" if refill else partial
        return render(request, f"{DIALOGS_TEMPLATE}#{name}", context, status=status)
    return render(request, DIALOGS_TEMPLATE, context, status=status)


# --- the list ------------------------------------------------------------------------------


@require_GET
@member_required
def contacts_list(request: VigiaRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET)
    status = request.GET.get("status", "")
    page = contact_directory_page(
        organization=request.organization,
        query=query_param(request),
        status=status,
        page=_page_number(request),
    )
    context = {
        "form": form,
        "page": page,
        "statuses": DirectorySearchForm.base_fields["status"].choices,
        "onboarding_url": onboarding_url(request, request.organization),
        **generic_link_panel_context(request),
    }
    if _wants_fragment(request):
        return render(request, f"{LIST_TEMPLATE}#results", context)
    return render(request, LIST_TEMPLATE, context)


@require_http_methods(["GET", "POST"])
@member_required
def contact_add(request: VigiaRequest) -> HttpResponse:
    form = DirectoryContactForm(
        request.POST or None, organization=request.organization, prefix="new"
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client = data.pop("company")
        try:
            contact = contact_services.contact_create(
                organization=request.organization, client=client, **data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
            return contacts_changed(request)
    status = refused_status(request) if request.method == "POST" else 200
    refill = request.method == "POST"
    return _dialog(request, "add", {"form": form}, status=status, refill=refill)


def _selection(request: VigiaRequest):
    """The contacts a bulk post names: ticked codes, or every match of the posted search."""
    selection = selection_parse(request.POST)
    matching = contact_directory_filter(
        organization=request.organization,
        query=query_param_post(request),
        status=request.POST.get("status", ""),
    )
    return selection, selection_rows(
        organization=request.organization, selection=selection, matching=matching
    )


def query_param_post(request: VigiaRequest) -> str:
    # The search box's text as the list used it (the same cleaning as query_param).
    return CONTROL_CHARACTERS.sub(" ", request.POST.get("q", "")).strip()


@require_POST
@member_required
def contacts_delete(request: VigiaRequest) -> HttpResponse:
    """Excluir contato(s): the first post asks for confirmation naming the count, the
    confirmed one deletes them all at once."""
    try:
        selection, rows = _selection(request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return contacts_changed(request)
    count = rows.count()
    names = list(rows.order_by("name", "id").values_list("name", flat=True)[:3])
    if request.POST.get("confirmed") != "1":
        context = {
            "count": count,
            "names": names,
            "selection": selection,
            "data": request.POST,
            "codes": request.POST.getlist("codes"),
        }
        return _dialog(request, "delete", context)
    try:
        deleted = accounts.contacts_delete(organization=request.organization, contacts=rows)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return contacts_changed(request)
    messages.success(
        request,
        ngettext("%(count)s contact deleted.", "%(count)s contacts deleted.", deleted)
        % {"count": intcomma(deleted)},
    )
    return contacts_changed(request)


# --- one contact's account -----------------------------------------------------------------

ACTION_MESSAGES = {
    accounts.ACTIVATE: gettext_lazy("%(name)s can now access the portal."),
    accounts.DEACTIVATE: gettext_lazy("%(name)s can no longer access the portal."),
    accounts.DELETE_IDENTITY: gettext_lazy("The portal credentials of %(name)s were deleted."),
}


@require_POST
@member_required
def account_action(request: VigiaRequest, code: UUID, action: str) -> HttpResponse:
    contact = directory_contact_get(organization=request.organization, code=code)
    try:
        accounts.OPERATOR_ACTIONS[action](organization=request.organization, contact=contact)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(ACTION_MESSAGES[action]) % {"name": contact.name})
    return contacts_changed(request)


def _activation_url(request: VigiaRequest, token: str) -> str:
    return request.build_absolute_uri(
        reverse("portal:activate", args=[request.organization.slug, token])
    )


@require_http_methods(["GET", "POST"])
@member_required
def invitation(request: VigiaRequest, code: UUID) -> HttpResponse:
    """Enviar solicitação de ativação. GET explains; the POST prepares a fresh link and
    shows the message (subject, body, link, expiry) to send or open in a mail program."""
    contact = directory_contact_get(organization=request.organization, code=code)
    context = {"contact": contact, "invitation": None}
    if request.method == "POST":
        try:
            invitation = accounts.account_invitation_prepare(
                organization=request.organization,
                contact=contact,
                actor=request.user,
                url_for=lambda token: _activation_url(request, token),
            )
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            context["invitation"] = invitation
            context["form"] = InvitationForm(initial={"token": invitation.token})
    return _dialog(request, "invitation", context)


@require_POST
@member_required
def invitation_send(request: VigiaRequest, code: UUID) -> HttpResponse:
    contact = directory_contact_get(organization=request.organization, code=code)
    form = InvitationForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["token"]
        try:
            accounts.account_invitation_send(
                organization=request.organization,
                contact=contact,
                token=token,
                url=_activation_url(request, token),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The activation e-mail to %(email)s is on its way.") % {"email": contact.email},
            )
        return contacts_changed(request)
    messages.error(request, _("The invitation could not be sent: prepare it again."))
    return contacts_changed(request)


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["mailto"]


@require_POST
@member_required
def invitation_mailto(request: VigiaRequest, code: UUID) -> HttpResponse:
    """Open in my mail program: the contact counts as invited, and the browser goes to the
    mailto: address of the prepared message."""
    contact = directory_contact_get(organization=request.organization, code=code)
    token = request.POST.get("token", "")
    try:
        invitation = accounts.account_invitation_mailed(
            organization=request.organization,
            contact=contact,
            token=token,
            url=_activation_url(request, token),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return contacts_changed(request)
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, CHANGED_EVENT)
        trigger_client_event(response, CLOSE_DIALOG_EVENT)
        response["HX-Redirect"] = invitation.mailto
        return response
    return MailtoRedirect(invitation.mailto)


@require_GET
@member_required
def backup(request: VigiaRequest, code: UUID) -> HttpResponse:
    contact = directory_contact_get(organization=request.organization, code=code)
    response = StreamingHttpResponse(
        backup_zip(organization=request.organization, contact=contact),
        content_type="application/zip",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=backup_filename(contact)
    )
    response["Cache-Control"] = "no-store"
    return response


# --- import --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def contacts_import(request: VigiaRequest) -> HttpResponse:
    form = ContactsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            import_services.import_schedule(
                organization=request.organization,
                user=request.user,
                entity=CSV_FORMAT,
                upload=form.cleaned_data["file"],
                language=get_language(),
            )
        except FileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("The import was scheduled: its notification shows the progress and the result."),
            )
            response = contacts_changed(request)
            return (
                trigger_client_event(response, "vigia:jobs-changed") if request.htmx else response
            )
    status = refused_status(request) if request.method == "POST" else 200
    refill = request.method == "POST"
    return _dialog(request, "import", {"form": form}, status=status, refill=refill)


@require_GET
@member_required
def contacts_template(request: VigiaRequest) -> HttpResponse:
    from importexport.csvfile import template_csv
    from importexport.registry import format_get

    response = HttpResponse(template_csv(format_get(CSV_FORMAT)), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=TEMPLATE_FILENAME
    )
    return response


# --- settings (admins) ---------------------------------------------------------------------


@require_POST
@admin_required
def portal_settings(request: VigiaRequest) -> HttpResponse:
    form = PortalSettingsForm(request.POST)
    if form.is_valid():
        try:
            accounts.portal_settings_update(organization=request.organization, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(request, _("Portal settings saved."))
    return redirect(reverse("organization_settings") + "#portal")


@require_POST
@admin_required
def terms_upload(request: VigiaRequest) -> HttpResponse:
    form = TermsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            accounts.terms_upload(
                organization=request.organization, upload=form.cleaned_data["terms"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
    if form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        messages.success(
            request,
            _("New terms and conditions published: every portal account must accept them again."),
        )
    return redirect(reverse("organization_settings") + "#portal")


# --- the portal's side: onboarding address, terms, activation -------------------------------


def portal_organization(slug: str) -> Organization:
    return get_object_or_404(Organization, slug=slug)


# The portal's acceptance page shows the document in a frame of its own origin; every other
# page keeps refusing to be framed.
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def terms_document(request, org_slug: str) -> HttpResponse:
    organization = portal_organization(org_slug)
    portal = accounts.terms_document(organization)
    if portal is None:
        raise Http404
    return FileResponse(
        portal.terms.open("rb"), content_type="application/pdf", filename="termos.pdf"
    )


REFUSALS = {
    "unknown": (
        gettext_lazy("This activation link is not valid"),
        gettext_lazy(
            "Check that you opened the whole address from the e-mail, or ask for a new invitation."
        ),
    ),
    "used": (
        gettext_lazy("This activation link was already used"),
        gettext_lazy(
            "Each link works once. If you did not activate your access, ask for a new invitation."
        ),
    ),
    "expired": (
        gettext_lazy("This activation link has expired"),
        gettext_lazy("Ask the organization that invited you for a new invitation."),
    ),
}


def _refused(request, organization: Organization, reason: str) -> HttpResponse:
    title, text = REFUSALS[reason]
    context = {"organization": organization, "title": title, "text": text}
    status = 404 if reason == "unknown" else 410
    return render(request, "portal/activate_refused.html", context, status=status)


@require_http_methods(["GET", "POST"])
def activate(request, org_slug: str, token: str) -> HttpResponse:
    organization = portal_organization(org_slug)
    try:
        link = accounts.activation_link_open(organization=organization, token=token)
    except accounts.LinkRefused as exc:
        return _refused(request, organization, exc.reason)
    # The page speaks as the e-mail that brought the person here did.
    with translation.override(accounts.message_language(organization, link.account.contact)):
        return _activation_page(request, organization, link, token)


def _activation_page(request, organization: Organization, link, token: str) -> HttpResponse:
    account = link.account
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.account_activate_with_link(
                organization=organization,
                token=token,
                password=form.cleaned_data["password"],
                accept_terms=form.cleaned_data["accept_terms"],
            )
        except accounts.LinkRefused as exc:
            return _refused(request, organization, exc.reason)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return render(request, "portal/activated.html", {"organization": organization})
    context = {
        "organization": organization,
        "account": account,
        "contact": account.contact,
        "form": form,
        "terms": accounts.terms_document(organization),
        "policy": password_policy(password="", user=accounts.password_subject(account)),
        "token": token,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, ACTIVATION_TEMPLATE, context, status=status)


@require_POST
def activate_password_check(request, org_slug: str, token: str) -> HttpResponse:
    """The live password checklist of the activation page, for a valid link only."""
    organization = portal_organization(org_slug)
    try:
        link = accounts.activation_link_open(organization=organization, token=token)
    except accounts.LinkRefused:
        raise Http404 from None
    policy = password_policy(
        password=request.POST.get("password", ""), user=accounts.password_subject(link.account)
    )
    return render(request, "specialists/_password_policy.html", {"policy": policy})
