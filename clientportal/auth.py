"""Who is logged in to the portal: a portal account held in the session, apart from
django.contrib.auth, so that for the back office and the admin a portal person stays an
anonymous visitor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django_htmx.http import HttpResponseClientRedirect

from clientportal.selectors import account_for_login, contact_without_account_exists
from clients.models import people_language
from portal.accounts import terms_document
from portal.models import PortalAccount
from tenancy.models import Organization

ACCOUNT_KEY = "_portal_account_id"
ORGANIZATION_KEY = "_portal_organization_id"
HASH_KEY = "_portal_account_hash"
LANGUAGE_KEY = "_portal_language"
# Django's own session key for a back-office login: one browser session holds one identity.
BACK_OFFICE_KEY = "_auth_user_id"
Status = PortalAccount.Status


def _account_hash(account: PortalAccount) -> str:
    # Derived from the password hash: a new password, or credentials deleted, and every other
    # session of the account stops matching.
    return salted_hmac("clientportal.session", account.password, algorithm="sha256").hexdigest()


def portal_login(request: HttpRequest, account: PortalAccount) -> None:
    """Opens a portal session for `account` under a new session key and records the login."""
    session = request.session
    if BACK_OFFICE_KEY in session or session.get(ACCOUNT_KEY) not in (None, account.pk):
        session.flush()
    else:
        session.cycle_key()
    session[ACCOUNT_KEY] = account.pk
    session[ORGANIZATION_KEY] = account.organization_id
    session[HASH_KEY] = _account_hash(account)
    rotate_token(request)
    account.last_login_at = timezone.now()
    account.save(update_fields=["last_login_at"])


def portal_logout(request: HttpRequest) -> None:
    request.session.flush()


def session_account(request: HttpRequest, organization: Organization) -> PortalAccount | None:
    """The active account this request's session holds for `organization`, if any."""
    session = request.session
    if session.get(ORGANIZATION_KEY) != organization.pk or ACCOUNT_KEY not in session:
        return None
    account = (
        PortalAccount.objects.select_related("client", "contact", "organization")
        .filter(
            organization=organization,
            pk=session[ACCOUNT_KEY],
            status=PortalAccount.Status.ACTIVE,
        )
        .first()
    )
    if account is None or not account.password:
        return None
    if not constant_time_compare(session.get(HASH_KEY, ""), _account_hash(account)):
        return None
    return account


def session_refresh(request: HttpRequest, account: PortalAccount) -> None:
    """After the person changed their own password: this session stays, the others end."""
    request.session.cycle_key()
    request.session[HASH_KEY] = _account_hash(account)


def terms_pending(account: PortalAccount) -> bool:
    portal = terms_document(account.organization)
    if portal is None:
        return False
    accepted = account.terms_accepted_at
    return accepted is None or (
        portal.terms_updated_at is not None and accepted < portal.terms_updated_at
    )


def portal_language(request: HttpRequest, account: PortalAccount) -> str:
    """The language the person chose in the portal's menu, else their client's."""
    return request.session.get(LANGUAGE_KEY) or people_language(
        account.organization, account.client
    )


def _gate(*, terms: bool) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, org_slug: str, *args, **kwargs) -> HttpResponse:
            organization = get_object_or_404(Organization, slug=org_slug)
            account = session_account(request, organization)
            if account is None:
                login_url = reverse("clientportal:login", args=[organization.slug])
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(login_url)
                return redirect_to_login(request.get_full_path(), login_url)
            if terms and terms_pending(account):
                terms_url = reverse("clientportal:terms_accept", args=[organization.slug])
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(terms_url)
                return redirect_to_login(request.get_full_path(), terms_url)
            request.portal_account = account
            request.portal_organization = organization
            request.portal_client = account.client
            translation.activate(portal_language(request, account))
            request.LANGUAGE_CODE = translation.get_language()
            response = view(request, org_slug, *args, **kwargs)
            # What a client's person sees is never kept by a shared machine's browser.
            if "Cache-Control" not in response:
                add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


portal_account_required = _gate(terms=True)
# For the pages a person with pending terms must still reach: the acceptance itself.
portal_session_required = _gate(terms=False)


# --- the login form's check, throttled by django-axes --------------------------------------

WRONG = "wrong"
DEACTIVATED = "deactivated"
NOT_REGISTERED = "not_registered"
LOCKED = "locked"


@dataclass(frozen=True)
class LoginOutcome:
    account: PortalAccount | None = None
    refusal: str = ""


def _axes_credentials(organization: Organization, identifier: str, account) -> dict[str, str]:
    # One count per account (its e-mail and user name share it), per organization; the colon
    # never appears in a back-office user name, so no count is shared with the back office.
    name = f"portal:{organization.pk}:{account.pk if account else identifier.strip().lower()}"
    return {settings.AXES_USERNAME_FORM_FIELD: name}


def portal_authenticate(
    request: HttpRequest, *, organization: Organization, identifier: str, password: str
) -> LoginOutcome:
    """The account `identifier` and `password` open, or why not. Failures count towards the
    back office's lockout (same limits, same cool-off); a lockout refuses before any check."""
    account = account_for_login(organization=organization, identifier=identifier)
    credentials = _axes_credentials(organization, identifier, account)
    if not AxesProxyHandler.is_allowed(request, credentials):
        return LoginOutcome(refusal=LOCKED)
    if account is None:
        # Hash anyway, so the answer's timing does not tell whether the account exists.
        PortalAccount().set_password(password)
        refusal = (
            NOT_REGISTERED
            if contact_without_account_exists(organization=organization, identifier=identifier)
            else WRONG
        )
    elif account.status in (Status.NOT_REGISTERED, Status.INACTIVE) or not account.password:
        refusal = NOT_REGISTERED
    elif not account.check_password(password):
        refusal = WRONG
    elif account.status == Status.DEACTIVATED:
        refusal = DEACTIVATED
    else:
        AxesProxyHandler.reset_attempts(
            ip_address=request.axes_ip_address,
            username=credentials[settings.AXES_USERNAME_FORM_FIELD],
        )
        return LoginOutcome(account=account)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        # The portal answers the lockout itself: axes' middleware would put the back
        # office's login page in its place.
        request.axes_locked_out = False
        return LoginOutcome(refusal=LOCKED)
    return LoginOutcome(refusal=refusal)
