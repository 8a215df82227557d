"""What a portal person changes: the terms accepted, their password, a forgotten password's
reset (a single-use link by e-mail, kept as an ActivationLink: only its hash is stored)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientportal.selectors import account_for_login
from clients.models import people_language
from portal.accounts import LinkRefused, password_subject, token_hash
from portal.models import ActivationLink, PortalAccount
from tenancy.models import Organization
from terminals.models import AlertEmail
from terminals.outbox import outbox_message_queue

# A reset link is short-lived: it opens an account that is already in use.
RESET_LINK_HOURS = 2
WRONG_PASSWORD = gettext_lazy("Your current password is not correct.")
PASSWORDS_DIFFER = gettext_lazy("The two passwords differ.")


@transaction.atomic
def terms_accept(*, account: PortalAccount) -> PortalAccount:
    account.terms_accepted_at = timezone.now()
    account.save(update_fields=["terms_accepted_at", "updated_at"])
    return account


def _password_set(account: PortalAccount, password: str, again: str) -> None:
    errors: dict[str, list[str]] = {}
    try:
        validate_password(password, user=password_subject(account))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if password != again:
        errors["password_again"] = [str(PASSWORDS_DIFFER)]
    if errors:
        raise ValidationError(errors)
    account.set_password(password)
    account.save(update_fields=["password", "updated_at"])


@transaction.atomic
def account_password_change(
    *, account: PortalAccount, current: str, password: str, again: str
) -> PortalAccount:
    """The person's new password, by Django's validators, once the current one is given.
    Other sessions of the account end (clientportal.auth)."""
    account = PortalAccount.objects.select_for_update().get(pk=account.pk)
    if not account.check_password(current):
        raise ValidationError({"current_password": [str(WRONG_PASSWORD)]})
    _password_set(account, password, again)
    return account


def _reset_text(account: PortalAccount, url: str, expires_at) -> tuple[str, str]:
    organization = account.organization
    with translation.override(people_language(organization, account.client)):
        subject = _("Choose a new password for the %(organization)s portal") % {
            "organization": organization.name
        }
        body = render_to_string(
            "clientportal/email/password_reset.txt",
            {
                "organization": organization,
                "account": account,
                "url": url,
                "expires": date_format(timezone.localtime(expires_at), "DATETIME_FORMAT"),
            },
        )
    return subject, body


@transaction.atomic
def password_reset_request(
    *, organization: Organization, identifier: str, url_for: Callable[[str], str]
) -> AlertEmail | None:
    """Queues a reset link for the active account `identifier` names, unless one was sent in
    the last PASSWORD_RESET_THROTTLE_MINUTES. None when nothing is sent: the caller answers
    alike either way, so the page tells nobody which accounts exist."""
    account = account_for_login(organization=organization, identifier=identifier)
    if account is None or account.status != PortalAccount.Status.ACTIVE:
        return None
    account = PortalAccount.objects.select_for_update().get(pk=account.pk)
    recipient = account.login_email
    if not recipient or not account.has_credentials:
        return None
    now = timezone.now()
    links = ActivationLink.objects.filter(account=account, used_at__isnull=True)
    throttle = timedelta(minutes=settings.PASSWORD_RESET_THROTTLE_MINUTES)
    if links.filter(created_at__gt=now - throttle, expires_at__gt=now).exists():
        return None
    links.delete()
    token = secrets.token_urlsafe(32)
    link = ActivationLink.objects.create(
        account=account,
        token_hash=token_hash(token),
        expires_at=now + timedelta(hours=RESET_LINK_HOURS),
    )
    url = url_for(token)
    subject, body = _reset_text(account, url, link.expires_at)
    return outbox_message_queue(
        organization_id=organization.pk,
        recipient=recipient,
        subject=subject,
        body=body,
        contact_id=account.contact_id,
        secret=url,
    )


def reset_link_open(*, organization: Organization, token: str) -> ActivationLink:
    """The organization's pending reset link for `token`, of an active account with a
    password (an activation link is not one); LinkRefused otherwise."""
    link = (
        ActivationLink.objects.select_related("account__organization", "account__client")
        .filter(token_hash=token_hash(token or ""), account__organization=organization)
        .first()
    )
    account = link.account if link is not None else None
    if account is None or account.status != PortalAccount.Status.ACTIVE:
        raise LinkRefused("unknown")
    if not account.has_credentials:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired")
    return link


@transaction.atomic
def password_reset_confirm(
    *, organization: Organization, token: str, password: str, again: str
) -> PortalAccount:
    """The new password through a reset link, which is used up; every session of the
    account ends."""
    link = reset_link_open(organization=organization, token=token)
    link = ActivationLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise LinkRefused("used")
    account = PortalAccount.objects.select_for_update().get(pk=link.account_id)
    _password_set(account, password, again)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return account
