from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers

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


# django-import-export's admin export page carries one inline event handler and two inline
# style attributes. 'unsafe-hashes' allows exactly those three values (their SHA-256), on the
# admin only: no other inline code runs there either.
ADMIN_CSP_UPDATE = {
    "script-src": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
    "style-src": [
        "'unsafe-hashes'",
        "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",
        "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='",
    ],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's few exceptions (ADMIN_CSP_UPDATE)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # With DEBUG on (make run), Django's technical 404/500 pages are inline style and
        # script: they stay readable. Every other page keeps the policy, so a violation
        # shows up while developing.
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/") and parts.update is None:
            parts.update = ADMIN_CSP_UPDATE
        return parts


class NoStoreForUsersMiddleware:
    """Pages shown to a logged-in user are never kept by the browser or a proxy: after logout,
    Back or a shared machine's cache must not show them again. Static and media files, and
    responses that set their own Cache-Control (file downloads), are left as they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.file_prefixes = tuple(
            "/" + url.lstrip("/") for url in (settings.STATIC_URL, settings.MEDIA_URL) if url
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and "Cache-Control" not in response
            and not request.path_info.startswith(self.file_prefixes)
        ):
            add_never_cache_headers(response)
        return response
