from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from tenancy.selectors import membership_for_request, project_for_request


class UserLanguageMiddleware:
    """Applies the logged-in user's chosen language on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class TenantMiddleware:
    """Resolves, once per request, the organization, membership and project the user works in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None
        request.membership = None
        request.project = None
        if request.user.is_authenticated:
            membership = membership_for_request(request)
            if membership is not None:
                request.membership = membership
                request.organization = membership.organization
                request.project = project_for_request(request, membership.organization)
        return self.get_response(request)
