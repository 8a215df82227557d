"""Solicitações, the operators' side: the list, a request with its attachments and
timeline, replies and status changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from servicerequests import services
from servicerequests.forms import ReplyForm, StatusForm
from servicerequests.models import RequestAttachment, ServiceRequest
from servicerequests.selectors import (
    PAGE_SIZE,
    attachment_get,
    request_get,
    request_search,
    request_timeline,
)
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, form_errors, query_param, refused_status


def _portal_url(request: VigiaRequest, service_request: ServiceRequest) -> str:
    """Where the requester follows the request, for the e-mail; none for a request sent
    through the generic link (its sender has no portal access)."""
    if service_request.via_link or service_request.account_id is None:
        return ""
    return request.build_absolute_uri(
        reverse("portal_requests:detail", args=[request.organization.slug, service_request.code])
    )


def attachment_download(service_request: ServiceRequest, attachment: RequestAttachment):
    """The attachment streamed from the storage, offered under its sanitized name and the
    content type checked when it was sent."""
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@member_required
def request_list(request: VigiaRequest) -> HttpResponse:
    query = query_param(request)[:100]
    status = request.GET.get("status", "")
    requests = request_search(organization=request.organization, query=query, status=status)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "status": status if status in ServiceRequest.Status.values else "",
        "statuses": ServiceRequest.Status.choices,
    }
    template = "servicerequests/list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


def _detail(
    request: VigiaRequest,
    service_request: ServiceRequest,
    *,
    reply_form: ReplyForm | None = None,
    status_form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    attachments = list(service_request.attachments.all())
    for attachment in attachments:
        attachment.url = reverse(
            "servicerequests:attachment", args=[service_request.code, attachment.code]
        )
    context = {
        "service_request": service_request,
        "attachments": attachments,
        "events": request_timeline(service_request=service_request),
        "reply_form": reply_form or ReplyForm(),
        "status_form": status_form,
        "next_statuses": [
            (value, ServiceRequest.Status(value).label)
            for value in services.allowed_statuses(service_request)
        ],
    }
    return render(request, "servicerequests/detail.html", context, status=status)


@require_GET
@member_required
def request_detail(request: VigiaRequest, code) -> HttpResponse:
    service_request = request_get(organization=request.organization, code=code)
    services.request_seen(organization=request.organization, service_request=service_request)
    return _detail(request, service_request)


@require_GET
@member_required
def request_attachment(request: VigiaRequest, code, attachment) -> HttpResponse:
    service_request = request_get(organization=request.organization, code=code)
    return attachment_download(
        service_request, attachment_get(service_request=service_request, code=attachment)
    )


@require_POST
@member_required
def request_reply(request: VigiaRequest, code) -> HttpResponse:
    service_request = request_get(organization=request.organization, code=code)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.request_reply(
                organization=request.organization,
                service_request=service_request,
                body=form.cleaned_data["body"],
                actor=request.user,
                url=_portal_url(request, service_request),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Reply sent to the requester."))
            return redirect("servicerequests:detail", code=service_request.code)
    return _detail(request, service_request, reply_form=form, status=refused_status(request))


@require_POST
@member_required
def request_status(request: VigiaRequest, code) -> HttpResponse:
    service_request = request_get(organization=request.organization, code=code)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            updated = services.request_status_set(
                organization=request.organization,
                service_request=service_request,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                url=_portal_url(request, service_request),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Request %(reference)s is now %(status)s; the requester was e-mailed.")
                % {"reference": updated.reference, "status": updated.get_status_display()},
            )
            url = reverse("servicerequests:detail", args=[service_request.code])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx and form.data.get("status") == ServiceRequest.Status.REFUSED:
        return _refuse_dialog(request, service_request, form)
    return _detail(request, service_request, status_form=form, status=refused_status(request))


def _refuse_dialog(
    request: VigiaRequest, service_request: ServiceRequest, form: StatusForm
) -> HttpResponse:
    template = "servicerequests/refuse.html"
    if request.htmx:
        # Opened into #modal as a <dialog>; a refused post refills the dialog it came from.
        template += "#body" if request.method == "POST" else "#dialog"
    return render(request, template, {"service_request": service_request, "form": form})


@require_GET
@member_required
def request_refuse(request: VigiaRequest, code) -> HttpResponse:
    """The refusal's dialog (a page of its own without JavaScript): the reason goes to the
    requester."""
    service_request = request_get(organization=request.organization, code=code)
    if ServiceRequest.Status.REFUSED not in services.allowed_statuses(service_request):
        return redirect("servicerequests:detail", code=service_request.code)
    form = StatusForm(initial={"status": ServiceRequest.Status.REFUSED})
    return _refuse_dialog(request, service_request, form)
