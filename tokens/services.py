from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from specialists.models import Specialist
from tenancy import audit
from tenancy.models import Organization
from tenancy.services import ownership_check
from tokens.models import IntegrationToken

TOKEN_PREFIX = "vg"  # noqa: S105 - a label, not a secret
# Compared against when no row matches, so an unknown prefix costs the same as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"vigia-no-such-token").hexdigest()
# last_used_at is written at most this often: a busy integration must not turn every call
# into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: IntegrationToken
    secret: str  # the whole token, shown once and never stored


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _free_prefix() -> str:
    # 32 random bits rarely collide, but the prefix is unique: draw again rather than fail.
    while True:
        prefix = secrets.token_hex(4)
        if not IntegrationToken.objects.filter(prefix=prefix).exists():
            return prefix


def expiry_from_date(day: date) -> datetime:
    """A token chosen to expire "on" a day stays valid through the end of that day."""
    return timezone.make_aware(datetime.combine(day, time.max))


def token_create(
    *,
    organization: Organization,
    specialist: Specialist,
    description: str,
    expires_at: datetime,
) -> IssuedToken:
    """Creates a token for `specialist` of `organization`; the returned secret is the only
    copy there is."""
    ownership_check(organization, specialist)
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    prefix = _free_prefix()
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = IntegrationToken(
        organization=organization,
        specialist=specialist,
        description=description.strip(),
        prefix=prefix,
        token_hash=_hash(raw),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit.record_token(token=token, event="token_created")
    return IssuedToken(token=token, secret=raw)


def token_authenticate(raw: str) -> IntegrationToken | None:
    """The live token matching `raw`, or None (malformed, unknown, expired or revoked, or its
    specialist is inactive)."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) > 16:
        return None
    token = (
        IntegrationToken.objects.select_related("organization", "specialist")
        .filter(prefix=parts[1])
        .order_by()  # the prefix is unique: no sort needed
        .first()
    )
    matches = hmac.compare_digest(token.token_hash if token else _DUMMY_HASH, _hash(raw))
    if token is None or not matches:
        return None
    if token.is_expired or token.specialist.status != Specialist.Status.ACTIVE:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, organization: Organization, token: IntegrationToken) -> None:
    """Deletes the token at once: the next call made with it is refused."""
    ownership_check(organization, token)
    audit.record_token(token=token, event="token_revoked")
    token.delete()
