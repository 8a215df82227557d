"""The generic link: its panel on the Contatos screen (settings, e-mail, regeneration) and
the public form people without an account send requests through."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from clients.models import people_language
from portal import generic_link as link
from portal.accounts import LinkRefused
from portal.forms import GenericLinkSettingsForm, GenericRequestForm
from portal.models import MB, PortalSettings, portal_settings_for
from portal.selectors import directory_contact_get
from portal.views import (
    contacts_changed,
    generic_link_panel_context,
    generic_link_url,
    portal_organization,
)
from servicerequests.uploads import (
    REQUEST_MAX_FILES,
    UploadLimits,
    limit_attributes,
    limited_upload,
    size_label,
    too_large_message,
    upload_error,
)
from tenancy.association import selection_parse
from tenancy.decorators import admin_required, member_required
from tenancy.http import REFUSED, VigiaRequest, form_errors, refused_status
from tenancy.models import Organization

PANEL_TEMPLATE = "portal/generic_link.html"
FORM_TEMPLATE = "portal/generic_link_form.html"
LIMIT_TEMPLATE = "portal/generic_link_limit.html"
SENT_TEMPLATE = "portal/generic_link_sent.html"


def _panel(request: VigiaRequest, form=None, status: int = 200) -> HttpResponse:
    template = f"{PANEL_TEMPLATE}#panel" if request.htmx else PANEL_TEMPLATE
    return render(request, template, generic_link_panel_context(request, form), status=status)


# --- the back office -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def generic_link_settings(request: VigiaRequest) -> HttpResponse:
    """The panel (a page of its own without JavaScript) and its Salvar. A − or + press posts
    the form with `step` and gets it back with that value moved, unsaved."""
    if request.method == "GET":
        return _panel(request)
    step = request.POST.get("step")
    if step:
        return _panel(request, GenericLinkSettingsForm.stepped(request.POST, step))
    form = GenericLinkSettingsForm(request.POST)
    if form.is_valid():
        try:
            link.generic_link_update(organization=request.organization, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
    if form.errors:
        return _panel(request, form, status=refused_status(request))
    messages.success(request, _("Generic link settings saved."))
    if request.htmx:
        return render(request, f"{PANEL_TEMPLATE}#saved", generic_link_panel_context(request))
    return redirect(reverse("portal:contacts"))


@require_http_methods(["GET", "POST"])
@admin_required
def generic_link_regenerate(request: VigiaRequest) -> HttpResponse:
    """Gerar novo vínculo: GET asks for confirmation, POST replaces the link."""
    if request.method == "GET":
        template = f"{PANEL_TEMPLATE}#regenerate" if request.htmx else PANEL_TEMPLATE
        context = {**generic_link_panel_context(request), "dialog": "regenerate"}
        return render(request, template, context)
    try:
        link.generic_link_regenerate(organization=request.organization, actor=request.membership)
    except PermissionDenied:
        return render(request, "tenancy/admin_only.html", status=403)
    messages.success(request, _("New generic link generated: the previous one no longer works."))
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(reverse("portal:contacts"))


@require_POST
@member_required
def generic_link_email(request: VigiaRequest) -> HttpResponse:
    """Enviar vínculo genérico por e-mail: to the one contact ticked in the list."""
    try:
        selection = selection_parse(request.POST)
    except ValidationError:
        selection = None
    if selection is None or selection.everything or len(selection.codes) != 1:
        messages.error(request, _("Tick exactly one contact to send the generic link to."))
        return contacts_changed(request)
    contact = directory_contact_get(organization=request.organization, code=selection.codes[0])
    portal = portal_settings_for(request.organization)
    try:
        link.generic_link_email(
            organization=request.organization,
            contact=contact,
            url=generic_link_url(request, request.organization, portal),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The generic link is on its way to %(email)s.") % {"email": contact.email}
        )
    return contacts_changed(request)


# --- the public side -----------------------------------------------------------------------

REFUSALS = {
    "unknown": (
        gettext_lazy("This link is not valid"),
        gettext_lazy("Check that you opened the whole address, or ask the organization for it."),
    ),
    "replaced": (
        gettext_lazy("This link was replaced"),
        gettext_lazy("The organization generated a new link: ask it for the current address."),
    ),
    "expired": (
        gettext_lazy("This link has expired"),
        gettext_lazy("Ask the organization for a link that is valid."),
    ),
}

LIMIT_TITLES = {
    link.REQUESTS_PER_DAY: gettext_lazy("Today's requests through this link are used up"),
    link.BYTES_PER_REQUEST: gettext_lazy("The attachments are larger than one request allows"),
    link.BYTES_PER_DAY: gettext_lazy("Today's attachment size through this link is used up"),
    link.RATE: gettext_lazy("Too many requests from your address"),
}


def _refused(request, organization: Organization, reason: str) -> HttpResponse:
    title, text = REFUSALS[reason]
    context = {"organization": organization, "title": title, "text": text}
    status = 404 if reason == "unknown" else 410
    return render(request, "portal/activate_refused.html", context, status=status)


def _limit_page(
    request, organization: Organization, portal: PortalSettings, exc: link.LimitReached
) -> HttpResponse:
    resets = timezone.localtime(exc.resets_at) if exc.resets_at else None
    context = {
        "organization": organization,
        "title": LIMIT_TITLES[exc.limit],
        "limit": exc.limit,
        "resets": date_format(resets, "SHORT_DATETIME_FORMAT") if resets else "",
        "portal": portal,
        "max_mb_per_request": portal.link_max_bytes_per_request // MB,
        "max_mb_per_day": portal.link_max_bytes_per_day // MB,
        "form_url": request.path,
    }
    response = render(request, LIMIT_TEMPLATE, context, status=exc.status)
    if exc.resets_at is not None:
        wait = (exc.resets_at - timezone.now()).total_seconds()
        response["Retry-After"] = str(max(int(wait), 1))
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def generic_link_form(request, org_slug: str, token: str) -> HttpResponse:
    """The public form. What needs no body is checked before a byte of it is read: the
    link (constant time), the address's rate and today's count; the files then stream
    through a handler that stops at what the limits still allow (the smaller of the size
    per request and what is left of today's), a declared body too large is refused unread."""
    organization = portal_organization(org_slug)
    with translation.override(people_language(organization, None)):
        try:
            portal = link.generic_link_open(organization=organization, token=token)
        except LinkRefused as exc:
            return _refused(request, organization, exc.reason)
        try:
            if request.method == "POST":
                link.generic_link_rate_check(address=request.META.get("REMOTE_ADDR", ""))
            allowance = link.generic_link_allowance(portal=portal)
        except link.LimitReached as exc:
            return _limit_page(request, organization, portal, exc)
        return _form_page(
            request, organization=organization, portal=portal, token=token, allowance=allowance
        )


def _upload_limits(request, *, allowance: int, **_context) -> UploadLimits:
    return UploadLimits(max_total_bytes=allowance, max_files=REQUEST_MAX_FILES)


@limited_upload(_upload_limits)
def _form_page(
    request, *, organization: Organization, portal: PortalSettings, token: str, allowance: int
) -> HttpResponse:
    form = GenericRequestForm(request.POST or None)
    error = upload_error(request) if request.method == "POST" else None
    if error == too_large_message(allowance):
        # The smaller of the two size limits stopped the files.
        if allowance >= portal.link_max_bytes_per_request:
            over = link.LimitReached(link.BYTES_PER_REQUEST, None)
        else:
            over = link.LimitReached(link.BYTES_PER_DAY, link.next_midnight())
        return _limit_page(request, organization, portal, over)
    if error:
        form.is_valid()
        form.add_error("files", error)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = link.generic_link_request_submit(
                organization=organization,
                token=token,
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                client_cnpj=data["client_cnpj"],
                subject=data["subject"],
                description=data["description"],
                files=request.FILES.getlist("files"),
            )
        except LinkRefused as exc:
            return _refused(request, organization, exc.reason)
        except link.LimitReached as exc:
            return _limit_page(request, organization, portal, exc)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            context = {"organization": organization, "service_request": created}
            return render(request, SENT_TEMPLATE, context)
    limits = _upload_limits(request, allowance=allowance)
    form.fields["files"].widget.attrs.update(limit_attributes(limits))
    context = {
        "organization": organization,
        "form": form,
        "max_files": REQUEST_MAX_FILES,
        "max_size": size_label(limits.max_total_bytes),
    }
    status = REFUSED if request.method == "POST" else 200
    return render(request, FORM_TEMPLATE, context, status=status)
