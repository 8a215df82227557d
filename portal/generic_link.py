"""The generic link (vínculo genérico): one address per organization through which people
without a portal account send a request. Its settings (validity and daily limits), its
regeneration, the checks every visit and every submission pass, and the e-mail that hands
it to a contact."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients import cnpj as cnpj_rules
from clients.models import Client, people_language
from contacts.models import Contact
from portal.accounts import LinkRefused, token_hash
from portal.models import MB, PortalSettings, generic_link_token, portal_settings_for
from servicerequests.models import ServiceRequest
from servicerequests.services import request_submit
from tenancy.models import Membership, Organization
from tenancy.services import ownership_check
from terminals.models import AlertEmail
from terminals.outbox import outbox_message_queue

# Submissions one address may post in a window, whatever the organization: enough for a
# person who corrects a form a few times, too few to flood anyone.
RATE_LIMIT_POSTS = 10
RATE_LIMIT_WINDOW_SECONDS = 15 * 60

REQUESTS_PER_DAY = "requests_per_day"
BYTES_PER_REQUEST = "bytes_per_request"
BYTES_PER_DAY = "bytes_per_day"
RATE = "rate"

LINK_EXPIRED_NOT_SENT = gettext_lazy(
    "The generic link has expired: change its validity before sending it."
)
EXPIRY_IN_THE_PAST = gettext_lazy("The last day the link works cannot be in the past.")
NO_EMAIL = gettext_lazy("This contact has no e-mail address to send the link to.")
REQUEST_OVER_DAY = gettext_lazy(
    "The size allowed per request cannot be larger than the size allowed per day."
)


class LimitReached(Exception):
    """A submission over one of the link's limits. `limit` names it; `resets_at` is when
    the count starts again (None for the size of one request, which never resets)."""

    def __init__(self, limit: str, resets_at: datetime | None) -> None:
        super().__init__(limit)
        self.limit = limit
        self.resets_at = resets_at

    @property
    def status(self) -> int:
        return 413 if self.limit in (BYTES_PER_REQUEST, BYTES_PER_DAY) else 429


# --- the link's state ----------------------------------------------------------------------


def generic_link_expired(portal: PortalSettings, today: date | None = None) -> bool:
    """The link works through its last day (link_expires_on) in the local time zone."""
    today = today or timezone.localdate()
    return portal.link_expires and (
        portal.link_expires_on is None or portal.link_expires_on < today
    )


def generic_link_open(*, organization: Organization, token: str) -> PortalSettings:
    """The organization's settings when `token` is its current, unexpired link; LinkRefused
    ("unknown", "replaced" or "expired") otherwise. Compared in constant time: the answer's
    timing tells nothing about how much of a guess was right."""
    portal = portal_settings_for(organization)
    token = token or ""
    if not hmac.compare_digest(portal.link_token.encode(), token.encode()):
        replaced = portal.link_replaced_hash
        if replaced and hmac.compare_digest(replaced, token_hash(token)):
            raise LinkRefused("replaced")
        raise LinkRefused("unknown")
    if generic_link_expired(portal):
        raise LinkRefused("expired")
    return portal


# --- the daily limits ----------------------------------------------------------------------


def next_midnight(now: datetime | None = None) -> datetime:
    """The start of tomorrow in the local time zone, when the daily counts start again."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


@dataclass(frozen=True)
class LinkUsage:
    requests: int
    bytes: int


def generic_link_usage(*, organization: Organization, now: datetime | None = None) -> LinkUsage:
    """What the link received today (local time zone): requests and attachment bytes."""
    # Both ends at a local midnight: a day is not always 24 hours long.
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    end = next_midnight(now)
    today = ServiceRequest.objects.for_org(organization).filter(
        via_link=True, created_at__gte=start, created_at__lt=end
    )
    # One query: the join repeats a request per attachment, hence the distinct count.
    usage = today.aggregate(
        requests=Count("id", distinct=True), bytes=Sum("attachments__size", default=0)
    )
    return LinkUsage(requests=usage["requests"], bytes=usage["bytes"])


def generic_link_allowance(
    *, portal: PortalSettings, incoming_bytes: int = 0, now: datetime | None = None
) -> int:
    """The attachment bytes a new submission may carry now: the smaller of the per-request
    limit and what is left of today's. LimitReached when today's requests are used up or
    `incoming_bytes` (already known) would pass a limit."""
    usage = generic_link_usage(organization=portal.organization, now=now)
    if usage.requests >= portal.link_max_requests_per_day:
        raise LimitReached(REQUESTS_PER_DAY, next_midnight(now))
    if incoming_bytes > portal.link_max_bytes_per_request:
        raise LimitReached(BYTES_PER_REQUEST, None)
    left_today = max(portal.link_max_bytes_per_day - usage.bytes, 0)
    if incoming_bytes > left_today:
        raise LimitReached(BYTES_PER_DAY, next_midnight(now))
    return min(portal.link_max_bytes_per_request, left_today)


def generic_link_rate_check(*, address: str, now: datetime | None = None) -> None:
    """Counts a submission from `address` in a fixed window; LimitReached (RATE) past
    RATE_LIMIT_POSTS. Keyed by the address alone: spreading posts over organizations does
    not multiply them."""
    now = now or timezone.now()
    window = int(now.timestamp()) // RATE_LIMIT_WINDOW_SECONDS
    digest = hashlib.sha256((address or "").encode()).hexdigest()
    key = f"generic-link-rate:{digest}:{window}"
    # add() then incr(): the first post of the window creates the key, the others count on.
    cache.add(key, 0, timeout=RATE_LIMIT_WINDOW_SECONDS)
    try:
        posts = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this post opens the next window.
        cache.add(key, 1, timeout=RATE_LIMIT_WINDOW_SECONDS)
        posts = 1
    if posts > RATE_LIMIT_POSTS:
        resets = datetime.fromtimestamp(
            (window + 1) * RATE_LIMIT_WINDOW_SECONDS, tz=timezone.get_current_timezone()
        )
        raise LimitReached(RATE, resets)


# --- the submission ------------------------------------------------------------------------


def _client_by_cnpj(organization: Organization, cnpj: str) -> Client | None:
    if not cnpj:
        return None
    return Client.objects.for_org(organization).filter(cnpj=cnpj_rules.normalize(cnpj)).first()


@transaction.atomic
def generic_link_request_submit(
    *,
    organization: Organization,
    token: str,
    requester_name: str,
    requester_email: str,
    client_cnpj: str,
    subject: str,
    description: str,
    files: list,
) -> ServiceRequest:
    """A request sent through the link, attached to the organization's client with
    `client_cnpj` when there is one. The link and the daily limits are checked again with
    the organization's settings row locked, so two simultaneous submissions cannot both
    take the last place of the day; nothing is stored when one refuses."""
    generic_link_open(organization=organization, token=token)
    portal = PortalSettings.objects.select_related("organization").select_for_update()
    portal = portal.get(organization=organization)
    allowance = generic_link_allowance(
        portal=portal, incoming_bytes=sum(upload.size or 0 for upload in files)
    )
    return request_submit(
        organization=organization,
        subject=subject,
        description=description,
        files=files,
        requester_name=requester_name,
        requester_email=requester_email,
        client=_client_by_cnpj(organization, client_cnpj),
        client_cnpj=client_cnpj,
        via_link=True,
        max_bytes=allowance,
    )


# --- the back office: settings, regeneration, e-mail ---------------------------------------


def generic_link_update(
    *,
    organization: Organization,
    expires: bool,
    expires_on: date | None,
    max_requests_per_day: int,
    max_mb_per_request: int,
    max_mb_per_day: int,
) -> PortalSettings:
    portal = portal_settings_for(organization)
    if expires and expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": EXPIRY_IN_THE_PAST}, code="past")
    if max_mb_per_request > max_mb_per_day:
        raise ValidationError({"max_mb_per_request": REQUEST_OVER_DAY}, code="request_over_day")
    portal.link_expires = expires
    portal.link_expires_on = expires_on if expires else None
    portal.link_max_requests_per_day = max_requests_per_day
    portal.link_max_bytes_per_request = max_mb_per_request * MB
    portal.link_max_bytes_per_day = max_mb_per_day * MB
    try:
        portal.full_clean()
    except ValidationError as exc:
        raise ValidationError(
            {name.removeprefix("link_"): errors for name, errors in exc.message_dict.items()}
        ) from None
    portal.save(
        update_fields=[
            "link_expires",
            "link_expires_on",
            "link_max_requests_per_day",
            "link_max_bytes_per_request",
            "link_max_bytes_per_day",
        ]
    )
    return portal


@transaction.atomic
def generic_link_regenerate(*, organization: Organization, actor: Membership) -> PortalSettings:
    """Gerar novo vínculo: a new token; the old link is refused from this commit on.
    Admins of the organization only (PermissionDenied otherwise)."""
    if actor is None or actor.organization_id != organization.pk or not actor.is_admin:
        raise PermissionDenied
    portal = PortalSettings.objects.select_for_update().get(pk=portal_settings_for(organization).pk)
    portal.link_replaced_hash = token_hash(portal.link_token)
    portal.link_token = generic_link_token()
    portal.link_regenerated_at = timezone.now()
    portal.save(update_fields=["link_token", "link_replaced_hash", "link_regenerated_at"])
    return portal


def generic_link_email(*, organization: Organization, contact: Contact, url: str) -> AlertEmail:
    """Queues the link for `contact` in the outbox, in the language of the contact's
    client's people."""
    ownership_check(organization, contact)
    if not contact.email:
        raise ValidationError(NO_EMAIL, code="no_email")
    portal = portal_settings_for(organization)
    if generic_link_expired(portal):
        raise ValidationError(LINK_EXPIRED_NOT_SENT, code="expired")
    with translation.override(people_language(organization, contact.client)):
        subject = _("%(organization)s: send us your requests") % {"organization": organization.name}
        body = render_to_string(
            "portal/email/generic_link.txt",
            {"organization": organization, "contact": contact, "url": url, "portal": portal},
        )
    return outbox_message_queue(
        organization_id=organization.pk,
        recipient=contact.email,
        subject=subject,
        body=body,
        contact_id=contact.pk,
        secret=url,
    )
