"""A client's B2B user (Firenze: "Cadastrar/Editar Usuário B2B"): the company's own login to
the client portal. The one home of its rules, called by the client list's dialog and any
other writer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogs.models import Catalog
from catalogs.services import client_catalogs_set
from clients.models import Client, people_language
from portal.models import PortalAccount
from tenancy.models import Organization
from tenancy.services import ownership_check
from terminals.outbox import outbox_message_queue

# The seed's rule (at least six characters) and Django's list of common passwords; the
# operators' own, stricter rules are for the back office, not for a client's portal login.
PASSWORD_VALIDATORS = (MinimumLengthValidator(min_length=6), CommonPasswordValidator())
# ASCII only: a login typed on any keyboard, compared case-insensitively alike on both
# databases (SQLite's lower() folds ASCII only).
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@+-]+\Z")
# A CNPJ's root: the company, whatever the branch (the first eight of its 14 characters).
CNPJ_ROOT_LENGTH = 8

USERNAME_TAKEN = gettext_lazy("This user name is already taken in your organization.")
CREATED_MEANWHILE = gettext_lazy(
    "Another operator has just created this client's B2B user; close and open it again."
)
USERNAME_INVALID = gettext_lazy(
    "Use only letters without accents, digits and the characters . @ + - _ (no spaces)."
)


def b2b_user_get(*, client: Client) -> PortalAccount | None:
    """The client's B2B user, if it has one."""
    return PortalAccount.objects.filter(
        organization_id=client.organization_id, client=client, kind=PortalAccount.Kind.B2B
    ).first()


def b2b_username_default(client: Client) -> str:
    return client.cnpj[:CNPJ_ROOT_LENGTH]


def b2b_password_policy(password: str) -> list[tuple[str, bool]]:
    """Each B2B password rule, as its help text and whether `password` meets it."""
    policy = []
    for validator in PASSWORD_VALIDATORS:
        try:
            validator.validate(password)
        except ValidationError:
            met = False
        else:
            met = bool(password)
        policy.append((validator.get_help_text(), met))
    return policy


def _clean_username(*, organization: Organization, username: str, account: PortalAccount) -> str:
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if len(username) > 150 or not USERNAME_PATTERN.match(username):
        raise ValidationError({"username": USERNAME_INVALID})
    taken = (
        PortalAccount.objects.for_org(organization)
        .annotate(login=Lower("username"))
        .filter(login=username.lower())
        .exclude(pk=account.pk)
        .exists()
    )
    if taken:
        raise ValidationError({"username": USERNAME_TAKEN})
    return username


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter the client's e-mail address.")})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    return email


def _check_password(password: str) -> None:
    if not password:
        raise ValidationError({"password": _("Enter a password.")})
    try:
        validate_password(password, password_validators=PASSWORD_VALIDATORS)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def b2b_user_save(
    *,
    organization: Organization,
    client: Client,
    username: str = "",
    email: str,
    password: str = "",
    catalogs: Iterable[Catalog] = (),
    login_url: str = "",
) -> PortalAccount:
    """Creates the client's B2B user, or edits it, and releases exactly `catalogs` to the
    client. Creating needs a user name (the CNPJ root when blank), an e-mail and a password,
    and queues the notice e-mail to that address through the alert outbox. Editing keeps the
    user name (the client logs in with it); a blank password keeps the current one. A user
    with a password is Ativo (one that was deactivated stays so). Raises ValidationError,
    keyed by field, and then changes nothing."""
    ownership_check(organization, client)
    catalogs = list(catalogs)
    account = b2b_user_get(client=client)
    creating = account is None
    if creating:
        account = PortalAccount(
            organization=organization, client=client, kind=PortalAccount.Kind.B2B
        )
    errors: dict[str, list[str]] = {}
    if creating:
        account.username = _collect(
            errors,
            _clean_username,
            organization=organization,
            username=username or b2b_username_default(client),
            account=account,
        )
    account.email = _collect(errors, _clean_email, email)
    if password or creating:
        _collect(errors, _check_password, password)
    if errors:
        raise ValidationError(errors)
    if password:
        account.set_password(password)
    if account.has_credentials and account.status != PortalAccount.Status.DEACTIVATED:
        if account.status != PortalAccount.Status.ACTIVE:
            account.activated_at = timezone.now()
        account.status = PortalAccount.Status.ACTIVE
    try:
        with transaction.atomic():
            account.save()
            client_catalogs_set(organization=organization, client=client, catalogs=catalogs)
            if creating:
                _queue_notice(account=account, client=client, login_url=login_url)
    except IntegrityError as exc:
        # Another operator took the name, or gave this client its B2B user, meanwhile.
        if "username" in str(exc):
            raise ValidationError({"username": USERNAME_TAKEN}) from exc
        raise ValidationError(CREATED_MEANWHILE) from exc
    return account


def _collect(errors: dict[str, list[str]], check, *args, **kwargs):
    """The result of `check`, or None with its ValidationError's messages added to `errors`:
    every field is checked, so the dialog shows every mistake at once."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _queue_notice(*, account: PortalAccount, client: Client, login_url: str) -> None:
    """The "your access was created" e-mail, in the client's language, queued in the
    alert outbox (sent, retried and kept like the alerts). It never carries the password."""
    organization = client.organization
    context = {
        "organization": organization,
        "client": client,
        "username": account.username,
        "login_url": login_url,
    }
    with translation.override(people_language(organization, client)):
        subject = _("Your access to %(organization)s's B2B portal") % {
            "organization": organization.name
        }
        body = render_to_string("portal/email/b2b_notice.txt", context)
    outbox_message_queue(
        organization_id=organization.pk,
        recipient=account.email,
        subject=subject,
        body=body,
    )
