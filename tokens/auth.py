from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from tokens.models import IntegrationToken
from tokens.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """Authenticates an API call as the token's specialist, inside its organization."""

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationToken | None:
        integration_token = token_authenticate(token)
        if integration_token is None:
            return None
        request.organization = integration_token.organization
        request.specialist = integration_token.specialist
        return integration_token


class TokenRateThrottle(BaseThrottle):
    """A fixed-window request counter per token, kept in the Django cache (Redis in
    production). `cache.incr` is atomic there, so concurrent workers never lose a count —
    unlike a read-modify-write history list."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, IntegrationToken):
            return True
        limit, window = settings.API_RATE_LIMIT_REQUESTS, settings.API_RATE_LIMIT_WINDOW
        if limit <= 0:
            return True
        key = f"api-rate:{token.pk}:{int(time.time() // window)}"
        # One round trip in the steady state: incr() fails only on a window's first call.
        try:
            count = cache.incr(key)
        except ValueError:
            # add() is atomic: of two first calls racing, one creates the key, the other counts.
            count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
        return count <= limit

    def wait(self) -> float:
        # Derived from the clock rather than instance state: one throttle serves all threads.
        window = settings.API_RATE_LIMIT_WINDOW
        return window - (time.time() % window)
