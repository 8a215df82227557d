from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

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
