"""Reading requests: the operators' list and the bell (by organization), and a portal
person's own requests (by their account: a B2B user sees its client's, a contact their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from servicerequests.models import RequestAttachment, ServiceRequest
from tenancy.models import Organization

if TYPE_CHECKING:
    from portal.models import PortalAccount

PAGE_SIZE = 25
SEARCH_MAX = 100


def request_search(
    *, organization: Organization, query: str = "", status: str = ""
) -> QuerySet[ServiceRequest]:
    """The organization's requests, newest first, by status and by words of the subject,
    the requester (name or e-mail) or the client."""
    requests = ServiceRequest.objects.for_org(organization).select_related("client")
    if status in ServiceRequest.Status.values:
        requests = requests.filter(status=status)
    for word in query.split()[:10]:
        requests = requests.filter(
            Q(subject__icontains=word)
            | Q(requester_name__icontains=word)
            | Q(requester_email__icontains=word)
            | Q(client__razao_social__icontains=word)
            | Q(client__nome_fantasia__icontains=word)
            | Q(client_cnpj__icontains=word)
        )
    return requests.order_by("-created_at", "-id")


def request_get(*, organization: Organization, code) -> ServiceRequest:
    """The organization's request with this code; 404 when missing or foreign."""
    return ServiceRequest.objects.select_related("client", "contact", "account").get_for_org_or_404(
        organization=organization, code=code
    )


def attachment_get(*, service_request: ServiceRequest, code) -> RequestAttachment:
    """One of the request's attachments; 404 when missing or another request's."""
    try:
        return service_request.attachments.get(code=code)
    except (RequestAttachment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def request_timeline(*, service_request: ServiceRequest) -> list:
    return list(service_request.events.select_related("author").order_by("created_at", "id"))


def requests_unseen(*, organization: Organization) -> QuerySet[ServiceRequest]:
    """What the bell shows: requests no operator has opened yet (or with a requester's
    reply since)."""
    return (
        ServiceRequest.objects.for_org(organization)
        .filter(seen_at__isnull=True)
        .select_related("client")
        .order_by("-created_at", "-id")
    )


def account_requests(*, account: PortalAccount) -> QuerySet[ServiceRequest]:
    """What a portal person sees: a B2B user its client's requests, a contact their own."""
    requests = ServiceRequest.objects.for_org(account.organization_id)
    if account.kind == account.Kind.B2B:
        if account.client_id is None:
            return requests.none()
        requests = requests.filter(client_id=account.client_id)
    elif account.contact_id is not None:
        requests = requests.filter(Q(account=account) | Q(contact_id=account.contact_id))
    else:
        requests = requests.filter(account=account)
    return requests.select_related("client").order_by("-created_at", "-id")


def account_request_get(*, account: PortalAccount, code) -> ServiceRequest:
    """One of the requests the person may see; 404 otherwise (missing, another client's,
    another person's, another organization's)."""
    try:
        return account_requests(account=account).get(code=code)
    except (ServiceRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
