"""Solicitações in the client portal: the person's requests (a B2B user sees its client's,
a contact their own), a new one with its attachments, and the replies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientportal.auth import portal_account_required
from portal.models import PortalAccount
from servicerequests import services
from servicerequests.forms import ReplyForm, RequestForm
from servicerequests.models import ServiceRequest
from servicerequests.selectors import (
    PAGE_SIZE,
    account_request_get,
    account_requests,
    attachment_get,
    request_timeline,
)
from servicerequests.uploads import (
    REQUEST_MAX_BYTES,
    REQUEST_MAX_FILES,
    UploadLimits,
    limit_attributes,
    limited_upload,
    size_label,
    upload_error,
    upload_error_status,
)
from servicerequests.views import attachment_download
from tenancy.http import form_errors, refused_status


def _requester(account: PortalAccount) -> dict:
    client = account.client
    if account.kind == PortalAccount.Kind.CONTACT and account.contact_id:
        name, email = account.contact.name, account.contact.email
    else:
        name = account.username or (client.razao_social if client else "")
        email = account.email
    return {
        "requester_name": name or email,
        "requester_email": email,
        "client": client,
        "account": account,
        "contact": account.contact if account.kind == PortalAccount.Kind.CONTACT else None,
        "client_cnpj": client.cnpj if client else "",
    }


@require_GET
@portal_account_required
def request_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    requests = account_requests(account=request.portal_account)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "servicerequests/portal_list.html", {"portal_tab": "requests", "page": page}
    )


def _limits(request: HttpRequest, org_slug: str) -> UploadLimits:
    return UploadLimits(max_total_bytes=REQUEST_MAX_BYTES, max_files=REQUEST_MAX_FILES)


@require_http_methods(["GET", "POST"])
@portal_account_required
@limited_upload(_limits)
def request_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    status = 200
    if request.method != "POST":
        form = RequestForm()
    elif error := upload_error(request):
        form = RequestForm(request.POST)
        form.is_valid()
        form.add_error("files", error)
        status = upload_error_status(request)
    else:
        form = RequestForm(request.POST)
        if form.is_valid():
            try:
                created = services.request_submit(
                    organization=request.portal_organization,
                    subject=form.cleaned_data["subject"],
                    description=form.cleaned_data["description"],
                    files=request.FILES.getlist("files"),
                    **_requester(request.portal_account),
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Request %(reference)s sent. You will be e-mailed when it changes.")
                    % {"reference": created.reference},
                )
                return redirect("portal_requests:detail", org_slug, created.code)
        status = refused_status(request)
    form.fields["files"].widget.attrs.update(limit_attributes(_limits(request, org_slug)))
    context = {
        "portal_tab": "requests",
        "form": form,
        "max_size": size_label(REQUEST_MAX_BYTES),
        "max_files": REQUEST_MAX_FILES,
    }
    return render(request, "servicerequests/portal_new.html", context, status=status)


def _detail(
    request: HttpRequest,
    service_request: ServiceRequest,
    *,
    form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    org_slug = request.portal_organization.slug
    attachments = list(service_request.attachments.all())
    for attachment in attachments:
        attachment.url = reverse(
            "portal_requests:attachment", args=[org_slug, service_request.code, attachment.code]
        )
    context = {
        "portal_tab": "requests",
        "service_request": service_request,
        "attachments": attachments,
        "events": request_timeline(service_request=service_request),
        "form": form or ReplyForm(),
    }
    return render(request, "servicerequests/portal_detail.html", context, status=status)


@require_GET
@portal_account_required
def request_detail(request: HttpRequest, org_slug: str, code) -> HttpResponse:
    service_request = account_request_get(account=request.portal_account, code=code)
    return _detail(request, service_request)


@require_GET
@portal_account_required
def request_attachment(request: HttpRequest, org_slug: str, code, attachment) -> HttpResponse:
    service_request = account_request_get(account=request.portal_account, code=code)
    return attachment_download(
        service_request, attachment_get(service_request=service_request, code=attachment)
    )


@require_POST
@portal_account_required
def request_reply(request: HttpRequest, org_slug: str, code) -> HttpResponse:
    service_request = account_request_get(account=request.portal_account, code=code)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.request_reply(
                organization=request.portal_organization,
                service_request=service_request,
                body=form.cleaned_data["body"],
                by_requester=True,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Message sent."))
            return redirect("portal_requests:detail", org_slug, service_request.code)
    return _detail(request, service_request, form=form, status=refused_status(request))
