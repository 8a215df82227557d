"""The contact accounts' lifecycle: statuses and what each allows, the activation e-mail
and its single-use link, the person's activation, the terms and conditions and deletion
(the data backup is portal.backup). The B2B users (portal.b2b) share the status and
credential rules here."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import people_language
from contacts.models import Contact
from portal.models import ActivationLink, PortalAccount, PortalSettings, portal_settings_for
from servicerequests.models import ServiceRequest
from servicerequests.services import contacts_requests, requests_for_contacts_delete
from tenancy.models import Organization
from tenancy.services import ownership_check
from terminals.models import AlertEmail
from terminals.outbox import outbox_message_queue

Status = PortalAccount.Status

# What each status allows (the seed's rules). "activate" also reverses a deactivation: the
# seed calls Desativar reversible, and Ativar is how an operator gives access back.
INVITE = "invite"
ACTIVATE = "activate"
DEACTIVATE = "deactivate"
DELETE_IDENTITY = "delete_identity"
ACTIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    Status.NOT_REGISTERED: (INVITE,),
    Status.INACTIVE: (ACTIVATE, INVITE),
    Status.ACTIVE: (DEACTIVATE, DELETE_IDENTITY),
    Status.DEACTIVATED: (ACTIVATE,),
}
NOT_ALLOWED = gettext_lazy("This action is not available for a contact whose status is %(status)s.")
NO_EMAIL = gettext_lazy("This contact has no e-mail address to send the invitation to.")
EMAIL_TAKEN = gettext_lazy(
    "Another contact with the e-mail %(email)s already has portal access in this organization."
)
LINK_GONE = gettext_lazy("This activation link is no longer valid: prepare the invitation again.")
TERMS_REQUIRED = gettext_lazy("Accept the terms and conditions to activate your access.")
TERMS_NOT_PDF = gettext_lazy("The terms and conditions must be a PDF document.")
TERMS_TOO_LARGE = gettext_lazy("The document is larger than %(size)d MB.")
NOTE_MAX_CHARS = 2000
# A deletion refused for requests being processed names this many of them.
BLOCKING_NAMED = 10


def account_status(contact: Contact) -> str:
    """The contact's portal status; a contact without an account is Não registrado."""
    account = getattr(contact, "portal_account", None)
    return account.status if account is not None else Status.NOT_REGISTERED


def allowed_actions(status: str) -> tuple[str, ...]:
    return ACTIONS_BY_STATUS.get(status, ())


def _require(account: PortalAccount, action: str) -> None:
    if action not in allowed_actions(account.status):
        raise ValidationError(
            NOT_ALLOWED % {"status": account.get_status_display()}, code="not_allowed"
        )


def contact_account(*, organization: Organization, contact: Contact) -> PortalAccount:
    """The contact's account, created (Não registrado) the first time one is needed; it
    follows the contact's client."""
    ownership_check(organization, contact)
    account, created = PortalAccount.objects.get_or_create(
        contact=contact,
        defaults={
            "organization": organization,
            "kind": PortalAccount.Kind.CONTACT,
            "client": contact.client,
        },
    )
    if not created and account.client_id != contact.client_id:
        account.client_id = contact.client_id
        account.save(update_fields=["client", "updated_at"])
    return account


def _locked_account(organization: Organization, contact: Contact) -> PortalAccount:
    account = contact_account(organization=organization, contact=contact)
    return PortalAccount.objects.select_for_update().get(pk=account.pk)


def _void_links(account: PortalAccount) -> None:
    ActivationLink.objects.filter(account=account, used_at__isnull=True).delete()


# --- the activation e-mail -----------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def message_language(organization: Organization, contact: Contact) -> str:
    """What the person reads (clients.models.people_language)."""
    return people_language(organization, contact.client)


@dataclass(frozen=True)
class Invitation:
    contact: Contact
    token: str
    url: str
    expires_at: datetime
    subject: str
    body: str
    language: str

    @property
    def mailto(self) -> str:
        return f"mailto:{quote(self.contact.email)}?subject={quote(self.subject)}&body={quote(self.body)}"


def _invitation_text(
    *, organization: Organization, contact: Contact, url: str, expires_at: datetime, note: str
) -> tuple[str, str, str]:
    language = message_language(organization, contact)
    with translation.override(language):
        expires = date_format(timezone.localtime(expires_at), "DATETIME_FORMAT")
        subject = _("Activate your access to the %(organization)s portal") % {
            "organization": organization.name
        }
        body = render_to_string(
            "portal/email/activation.txt",
            {
                "organization": organization,
                "contact": contact,
                "url": url,
                "expires": expires,
                "note": note.strip(),
            },
        )
    return subject, body, language


def _check_invitable(organization: Organization, contact: Contact, account: PortalAccount) -> None:
    _require(account, INVITE)
    if not contact.email:
        raise ValidationError(NO_EMAIL, code="no_email")
    taken = (
        PortalAccount.objects.for_org(organization)
        .filter(kind=PortalAccount.Kind.CONTACT, contact__email=contact.email)
        .exclude(pk=account.pk)
        .exclude(status=Status.NOT_REGISTERED)
    )
    if taken.exists():
        raise ValidationError(EMAIL_TAKEN % {"email": contact.email}, code="email_taken")


@transaction.atomic
def account_invitation_prepare(
    *, organization: Organization, contact: Contact, actor, url_for
) -> Invitation:
    """A new activation link for the contact (earlier unused ones stop working) and the
    message that carries it. `url_for(token)` gives the link's absolute address. Only the
    link's hash is stored; the token travels in the returned invitation."""
    account = _locked_account(organization, contact)
    _check_invitable(organization, contact, account)
    _void_links(account)
    token = secrets.token_urlsafe(32)
    hours = portal_settings_for(organization).activation_hours
    link = ActivationLink.objects.create(
        account=account,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(hours=hours),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    url = url_for(token)
    subject, body, language = _invitation_text(
        organization=organization, contact=contact, url=url, expires_at=link.expires_at, note=""
    )
    return Invitation(contact, token, url, link.expires_at, subject, body, language)


def _pending_link(account: PortalAccount, token: str) -> ActivationLink:
    link = (
        ActivationLink.objects.filter(
            account=account, token_hash=token_hash(token or ""), used_at__isnull=True
        )
        .select_for_update()
        .first()
    )
    if link is None or link.expires_at <= timezone.now():
        raise ValidationError(LINK_GONE, code="link_gone")
    return link


def _mark_invited(account: PortalAccount) -> None:
    account.status = Status.INACTIVE
    account.invited_at = timezone.now()
    account.save(update_fields=["status", "invited_at", "updated_at"])


@transaction.atomic
def account_invitation_send(
    *, organization: Organization, contact: Contact, token: str, url: str, note: str = ""
) -> AlertEmail:
    """Queues the activation e-mail of a prepared link in the alert outbox (same delivery,
    retries and history as the alerts) and marks the contact invited (Inativo)."""
    account = _locked_account(organization, contact)
    _check_invitable(organization, contact, account)
    link = _pending_link(account, token)
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError(
            {"note": _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_CHARS}}
        )
    subject, body, _language = _invitation_text(
        organization=organization, contact=contact, url=url, expires_at=link.expires_at, note=note
    )
    email = outbox_message_queue(
        organization_id=organization.pk,
        recipient=contact.email,
        subject=subject,
        body=body,
        contact_id=contact.pk,
        secret=url,
    )
    _mark_invited(account)
    return email


@transaction.atomic
def account_invitation_mailed(
    *, organization: Organization, contact: Contact, token: str, url: str
) -> Invitation:
    """The operator sends the prepared message from their own mail program: the contact
    counts as invited from now. Returns the message, for the mailto: address."""
    account = _locked_account(organization, contact)
    _check_invitable(organization, contact, account)
    link = _pending_link(account, token)
    _mark_invited(account)
    subject, body, language = _invitation_text(
        organization=organization, contact=contact, url=url, expires_at=link.expires_at, note=""
    )
    return Invitation(contact, token, url, link.expires_at, subject, body, language)


# --- the operator's status actions ---------------------------------------------------------


@transaction.atomic
def account_activate(*, organization: Organization, contact: Contact) -> PortalAccount:
    """Ativar contato (Inativo or Desativado → Ativo). An invited person who has not chosen
    a password yet still does so through the link they received."""
    account = _locked_account(organization, contact)
    _require(account, ACTIVATE)
    account.status = Status.ACTIVE
    account.activated_at = account.activated_at or timezone.now()
    account.save(update_fields=["status", "activated_at", "updated_at"])
    return account


@transaction.atomic
def account_deactivate(*, organization: Organization, contact: Contact) -> PortalAccount:
    """Desativar contato (Ativo → Desativado): access refused, credentials kept."""
    account = _locked_account(organization, contact)
    _require(account, DEACTIVATE)
    account.status = Status.DEACTIVATED
    account.save(update_fields=["status", "updated_at"])
    _void_links(account)
    return account


@transaction.atomic
def account_identity_delete(*, organization: Organization, contact: Contact) -> PortalAccount:
    """Excluir identidade (Ativo → Não registrado): the credentials go, the contact stays."""
    account = _locked_account(organization, contact)
    _require(account, DELETE_IDENTITY)
    account.password = ""
    account.status = Status.NOT_REGISTERED
    account.invited_at = account.activated_at = account.terms_accepted_at = None
    account.save()
    _void_links(account)
    return account


OPERATOR_ACTIONS = {
    ACTIVATE: account_activate,
    DEACTIVATE: account_deactivate,
    DELETE_IDENTITY: account_identity_delete,
}


# --- deletion ------------------------------------------------------------------------------


def requests_blocking_deletion(contacts: QuerySet[Contact]) -> list[str]:
    """The portal requests that forbid deleting `contacts` (one being processed), named for
    the operator. The single home of that rule: their other requests (Novo, Recebido,
    Concluído, Recusado) go with the contact."""
    processing = (
        contacts_requests(contacts)
        .filter(status=ServiceRequest.Status.PROCESSING)
        .order_by("created_at", "id")
    )
    return [
        f"{service_request.reference} “{service_request.subject}” ({service_request.requester_name})"
        for service_request in processing[:BLOCKING_NAMED]
    ]


@transaction.atomic
def contacts_delete(*, organization: Organization, contacts: QuerySet[Contact]) -> int:
    """Deletes the organization's contacts among `contacts` (a selection or every match of
    a search), with their portal accounts and links, in a few statements whatever their
    number. Irreversible; refused as a whole while any blocking request exists."""
    selected = Contact.objects.for_org(organization).filter(pk__in=contacts.values("pk"))
    blocking = requests_blocking_deletion(selected)
    if blocking:
        raise ValidationError(
            _("Not deleted: these requests are being processed: %(requests)s.")
            % {"requests": ", ".join(blocking)},
            code="requests_processing",
        )
    count = selected.count()
    requests_for_contacts_delete(contacts=selected)
    # Children first, each one set-based statement; the outbox keeps its history (the
    # e-mails lose only their link to the contact). QuerySet.delete() would load every
    # contact and account into memory to cascade ("select all 1,000,000 matching"); the
    # cascade is spelled out here instead, and a relation added later without being named
    # here fails on its foreign key rather than being skipped.
    ActivationLink.objects.filter(account__contact__in=selected).delete()
    AlertEmail.objects.filter(contact__in=selected).update(contact=None)
    PortalAccount.objects.filter(contact__in=selected)._raw_delete(PortalAccount.objects.db)
    selected._raw_delete(Contact.objects.db)
    return count


# --- the person's activation ---------------------------------------------------------------


class LinkRefused(Exception):
    """An activation link that opens nothing: unknown (or another organization's), used,
    or expired. `reason` is one of those words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def activation_link_open(*, organization: Organization, token: str) -> ActivationLink:
    """The organization's pending link for `token`; LinkRefused otherwise. A link of another
    organization is unknown here, like a forged one."""
    digest = token_hash(token or "")
    link = (
        ActivationLink.objects.select_related("account__contact__client", "account__organization")
        .filter(token_hash=digest, account__organization=organization)
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired")
    if link.account.status not in (Status.INACTIVE, Status.ACTIVE) or (
        link.account.status == Status.ACTIVE and link.account.has_credentials
    ):
        raise LinkRefused("used")
    return link


def password_subject(account: PortalAccount) -> SimpleNamespace:
    """What Django's similarity validator compares a new password with."""
    contact = account.contact
    return SimpleNamespace(
        username=account.username or account.login_email,
        email=account.login_email,
        first_name=contact.name if contact else "",
        last_name="",
    )


def terms_document(organization: Organization) -> PortalSettings | None:
    portal = portal_settings_for(organization)
    return portal if portal.terms else None


@transaction.atomic
def account_activate_with_link(
    *, organization: Organization, token: str, password: str, accept_terms: bool
) -> PortalAccount:
    """The person's own activation: a password by Django's validators, the terms accepted
    when the organization has them; the link is used up. LinkRefused for a link that opens
    nothing (also when another tab used it meanwhile), ValidationError for bad input."""
    link = activation_link_open(organization=organization, token=token)
    link = ActivationLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise LinkRefused("used")
    account = link.account
    errors: dict[str, list] = {}
    try:
        validate_password(password, user=password_subject(account))
    except ValidationError as exc:
        errors["password"] = exc.messages
    has_terms = terms_document(organization) is not None
    if has_terms and not accept_terms:
        errors["accept_terms"] = [str(TERMS_REQUIRED)]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    account.set_password(password)
    account.status = Status.ACTIVE
    account.activated_at = now
    account.terms_accepted_at = now if has_terms else None
    account.save()
    link.used_at = now
    link.save(update_fields=["used_at"])
    ActivationLink.objects.filter(account=account, used_at__isnull=True).delete()
    return account


# --- settings: link validity and the terms and conditions ----------------------------------


def portal_settings_update(*, organization: Organization, activation_hours: int) -> PortalSettings:
    portal = portal_settings_for(organization)
    portal.activation_hours = activation_hours
    portal.full_clean()
    portal.save(update_fields=["activation_hours"])
    return portal


def _is_pdf(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    # The header may follow a few bytes of garbage, as PDF readers accept.
    return b"%PDF-" in head


@transaction.atomic
def terms_upload(*, organization: Organization, upload: UploadedFile) -> PortalSettings:
    """Publishes a new version of the terms and conditions: every account of the
    organization must accept it again (one statement)."""
    limit = settings.PORTAL_TERMS_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"terms": TERMS_TOO_LARGE % {"size": limit // (1024 * 1024)}}, code="too_large"
        )
    if not (upload.name or "").lower().endswith(".pdf") or not _is_pdf(upload):
        raise ValidationError({"terms": TERMS_NOT_PDF}, code="not_pdf")
    portal = PortalSettings.objects.select_for_update().get(pk=portal_settings_for(organization).pk)
    old = portal.terms.name if portal.terms else ""
    portal.terms.save("terms.pdf", upload, save=False)
    portal.terms_updated_at = timezone.now()
    portal.save(update_fields=["terms", "terms_updated_at"])
    PortalAccount.objects.for_org(organization).update(terms_accepted_at=None)
    if old:
        storage = portal.terms.storage
        transaction.on_commit(lambda: storage.delete(old))
    return portal
