"""The token-authenticated JSON API under /api/v1/ and its frame (authentication, JSON errors,
body limits, per-token rate limit, schema). Endpoints live in each app's `api.py` router."""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer

from tokens.auth import BearerTokenAuth, TokenRateThrottle

logger = logging.getLogger(__name__)

# Ninja's message when the body cannot be parsed (its only 400).
_UNPARSABLE = "Cannot parse request body"


class Utf8JSONRenderer(JSONRenderer):
    # Names and messages are Portuguese: readable "Integração", not "Integra\u00e7\u00e3o".
    json_dumps_params = {"ensure_ascii": False}


def create_api(**kwargs) -> NinjaAPI:
    """A NinjaAPI with Vigia's frame: every answer, error or not, is JSON; errors carry a
    translated `detail`."""
    api = NinjaAPI(
        auth=BearerTokenAuth(),
        throttle=[TokenRateThrottle()],
        renderer=Utf8JSONRenderer(),
        **kwargs,
    )

    def error(request: HttpRequest, status: int, detail: str, **extra) -> HttpResponse:
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if request.headers.get("Authorization"):
            detail = _("The token is invalid, expired or revoked.")
        else:
            detail = _("Authentication required: send the header “Authorization: Bearer <token>”.")
        response = error(request, 401, detail)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        # Ninja adds the Retry-After header itself.
        return error(request, 429, _("Too many requests for this token; retry later."))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(request, 404, _("Not found."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error(request, 413, _("The request body is too large."))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error(request, 422, _("The request is invalid."), errors=exc.errors)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # A body that is not JSON is a malformed entity: 422, like every other body the API
        # cannot accept, rather than ninja's 400.
        if exc.status_code == 400 and str(exc).startswith(_UNPARSABLE):
            return error(request, 422, _("The request body is not valid JSON."))
        return error(request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error(request, 500, _("Internal error; it has been logged."))

    return api


api = create_api(
    title="Vigia API",
    version="1",
    description="Terminal heartbeats and read access to clients and terminals, "
    "authenticated by a specialist's integration token (Authorization: Bearer <token>).",
    urls_namespace="api",
)
api.add_router("/", "specialists.api.router")
api.add_router("/clients", "clients.api.router")
api.add_router("/", "terminals.api.router")


def api_urls():
    """`api.urls`, with ninja's plain-text "405 Method not allowed" turned into JSON like
    every other API error."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _json_method_not_allowed(pattern.callback)
    return patterns, app_name, namespace


def _json_method_not_allowed(view):
    @wraps(view)  # keeps csrf_exempt
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response["Allow"]
            response = api.create_response(
                request,
                {
                    "detail": _("Method %(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": allowed}
                },
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapper


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer JSON too, not the HTML 404 page."""
    return api.create_response(request, {"detail": _("Not found.")}, status=404)
