"""Logging in with an e-mail or a user name, and what django-axes needs to throttle it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenancy.forms import LoginForm
from tenancy.models import User


def user_for_login(identifier: str) -> User | None:
    """The user an identifier typed on a login form names: the one whose user name it is
    (exactly, as Django always matched it), otherwise the one whose e-mail it is, in any
    case. None when nobody matches."""
    identifier = identifier.strip()
    if not identifier:
        return None
    # A user name always wins over an e-mail: it is what every login used before e-mails
    # were accepted, so no existing login changes meaning. E-mails are unique without case
    # (a constraint on User), and login_clash() keeps an e-mail from being someone else's
    # user name where users are edited, so the tie-break is a backstop, never a coin toss.
    return (
        User.objects.filter(Q(username=identifier) | Q(email__iexact=identifier))
        .annotate(by_email=Case(When(username=identifier, then=Value(0)), default=Value(1)))
        .order_by("by_email", "pk")
        .first()
    )


def login_clash(*, username: str, email: str, pk: int | None) -> dict[str, str]:
    """Errors (by field) when a user name or an e-mail would name another user on the login
    form: another user's e-mail, or an e-mail that is another user's user name."""
    others = User.objects.exclude(pk=pk) if pk else User.objects.all()
    errors = {}
    if username and others.filter(email__iexact=username).exists():
        errors["username"] = _("This user name is another user's e-mail.")
    if email and others.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        errors["email"] = _("Another user already logs in with this e-mail.")
    return errors


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            # Hash anyway, as ModelBackend does, so the answer's timing does not tell whether
            # the account exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The name axes counts failures under (AXES_USERNAME_CALLABLE): the account's user name
    when the identifier names one, so that its e-mail in any case and its user name share one
    count, and a success (which axes records under the user name) resets it; otherwise the
    identifier as typed, lower-cased, so that case variants share one count too."""
    field = settings.AXES_USERNAME_FORM_FIELD
    identifier = (credentials or {}).get(field) or request.POST.get(field)
    if not identifier:
        return None
    user = user_for_login(identifier)
    return user.get_username() if user else identifier.strip().lower()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """Our login page with the lockout message (AXES_LOCKOUT_CALLABLE), for the back office
    and the Django admin alike, rather than axes' bare text."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    field = settings.AXES_USERNAME_FORM_FIELD
    # Unbound: validating the posted form would call authenticate() and count one more
    # failure.
    form = LoginForm(request, initial={field: request.POST.get(field, "")})
    message = ngettext(
        "Too many failed attempts to log in. Try again in %(minutes)d minute, or ask an "
        "administrator to unlock your access.",
        "Too many failed attempts to log in. Try again in %(minutes)d minutes, or ask an "
        "administrator to unlock your access.",
        minutes,
    ) % {"minutes": minutes}
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
