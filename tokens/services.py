from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from specialists.models import Specialist
from tokens.models import IntegrationToken

TOKEN_PREFIX = "vg"  # noqa: S105 - a label, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: IntegrationToken
    secret: str  # the whole token, shown once and never stored


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, specialist: Specialist, description: str, expires_at: datetime) -> IssuedToken:
    """Creates a token for `specialist`; the returned secret is the only copy there is."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = IntegrationToken(
        organization=specialist.organization,
        specialist=specialist,
        description=description,
        prefix=prefix,
        token_hash=_hash(raw),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return IssuedToken(token=token, secret=raw)


def token_authenticate(raw: str) -> IntegrationToken | None:
    """The live token matching `raw`, or None (malformed, unknown, expired or revoked)."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        IntegrationToken.objects.select_related("organization", "specialist")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, _hash(raw)):
        return None
    if token.is_expired or token.specialist.status != Specialist.Status.ACTIVE:
        return None
    now = timezone.now()
    # Written at most once a minute: a busy integration must not turn every call into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_revoke(*, token: IntegrationToken) -> None:
    token.delete()
