"""What every back-office view shares: the typed request, where a plain post goes back to,
and the one rule for answering a refused form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from tenancy.models import Membership, Organization, Project
from tenancy.text import CONTROL_CHARACTERS

# A refused plain (non-htmx) post answers 422 so that scripts and tests see the refusal;
# htmx swaps only 2xx answers, so a refused htmx post answers 200 with the errors in place.
REFUSED = 422


class VigiaRequest(HttpRequest):
    """Typing aid for views: what TenantMiddleware sets on every request."""

    organization: Organization | None
    membership: Membership | None
    project: Project | None


def next_url(request: HttpRequest, fallback: str) -> str:
    """Where a plain (no-JS) form post goes back to: the page that embedded the form (its
    `next` field, else the Referer), when it is one of ours, else `fallback`."""
    target = request.POST.get("next") or request.headers.get("Referer", "")
    # Only a path or a URL is a target: redirect() would look a bare word up as a URL name.
    if "/" in target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def refused_status(request: HttpRequest) -> int:
    """The status of a response that shows a refused form again."""
    return 200 if getattr(request, "htmx", False) else REFUSED


def form_errors(form, exc: ValidationError) -> None:
    """Puts a service's ValidationError on the form: on its field when the form has one,
    else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def query_param(request: HttpRequest, name: str = "q") -> str:
    """A search box's text as a selector may use it: control characters (a NUL byte is an
    error to PostgreSQL) become spaces."""
    return CONTROL_CHARACTERS.sub(" ", request.GET.get(name, "")).strip()
