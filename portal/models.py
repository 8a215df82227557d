"""Who may enter the client portal: a client's B2B user or a contact's own account.

The portal screens themselves live elsewhere; these rows are what the back office manages
(statuses, credentials, activation links) and what the portal will authenticate against.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from contacts.models import Contact
from tenancy.models import Organization, TenantModel


def terms_upload_to(instance: PortalSettings, filename: str) -> str:
    # A fresh name per upload: a cached copy of the previous version is never served as the
    # new one, and the organization's slug never reaches the storage path.
    return f"portal/terms/{instance.organization_id}/{uuid.uuid4().hex}.pdf"


MB = 1024 * 1024
# The generic link's bounds: what the Contatos panel accepts.
LINK_REQUESTS_PER_DAY_MAX = 1000
LINK_MB_PER_REQUEST_MAX = 2048
LINK_MB_PER_DAY_MAX = 20480


def generic_link_token() -> str:
    # 32 random bytes (256 bits): the link's only secret, so it cannot be guessed.
    return secrets.token_urlsafe(32)


class PortalSettings(models.Model):
    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="portal_settings",
        verbose_name=_("organization"),
    )
    activation_hours = models.PositiveIntegerField(
        _("Activation link validity (hours)"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    terms = models.FileField(_("Terms and conditions"), upload_to=terms_upload_to, blank=True)
    terms_updated_at = models.DateTimeField(_("Terms updated at"), null=True, blank=True)
    # The generic link (vínculo genérico): people without an account send requests through
    # it. The token is kept as is, not hashed: the operator copies the link from the panel.
    link_token = models.CharField(
        _("generic link token"), max_length=64, default=generic_link_token
    )
    # sha256 of the token the last regeneration replaced: its visitors learn the link was
    # replaced rather than that it never existed.
    link_replaced_hash = models.CharField(max_length=64, blank=True, editable=False)
    link_regenerated_at = models.DateTimeField(
        _("generic link regenerated at"), null=True, blank=True
    )
    link_expires = models.BooleanField(_("generic link expires"), default=False)
    link_expires_on = models.DateField(_("generic link valid until"), null=True, blank=True)
    link_max_requests_per_day = models.PositiveIntegerField(
        _("maximum requests per day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(LINK_REQUESTS_PER_DAY_MAX)],
    )
    link_max_bytes_per_request = models.PositiveBigIntegerField(
        _("maximum attachment size per request"),
        default=100 * MB,
        validators=[MinValueValidator(MB), MaxValueValidator(LINK_MB_PER_REQUEST_MAX * MB)],
    )
    link_max_bytes_per_day = models.PositiveBigIntegerField(
        _("maximum attachment size per day"),
        default=500 * MB,
        validators=[MinValueValidator(MB), MaxValueValidator(LINK_MB_PER_DAY_MAX * MB)],
    )

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    def __str__(self) -> str:
        return str(self.organization)

    def clean(self) -> None:
        if self.link_expires and self.link_expires_on is None:
            raise ValidationError(
                {"link_expires_on": _("Choose the last day the link works.")}, code="required"
            )


def portal_settings_for(organization: Organization) -> PortalSettings:
    settings_row, _created = PortalSettings.objects.get_or_create(organization=organization)
    return settings_row


class PortalAccount(TenantModel):
    class Kind(models.TextChoices):
        B2B = "b2b", _("B2B user")
        CONTACT = "contact", _("Contact account")

    class Status(models.TextChoices):
        NOT_REGISTERED = "not_registered", _("Not registered")
        INACTIVE = "inactive", _("Inactive")
        ACTIVE = "active", _("Active")
        DEACTIVATED = "deactivated", _("Deactivated")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_accounts",
        verbose_name=_("client"),
    )
    contact = models.OneToOneField(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_account",
        verbose_name=_("contact"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    password = models.CharField(_("password"), max_length=128, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_REGISTERED
    )
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("last login at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("username"),
                condition=~models.Q(username=""),
                name="portalaccount_unique_username",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(kind="b2b"),
                name="portalaccount_one_b2b_per_client",
            ),
        ]

    def __str__(self) -> str:
        return self.username or self.login_email or str(self.code)

    @property
    def login_email(self) -> str:
        if self.kind == self.Kind.CONTACT and self.contact_id:
            return self.contact.email
        return self.email

    @property
    def has_credentials(self) -> bool:
        return bool(self.password)

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        if not self.password:
            return False
        return check_password(raw_password, self.password)


class ActivationLink(models.Model):
    account = models.ForeignKey(
        PortalAccount, on_delete=models.CASCADE, related_name="activation_links"
    )
    # sha256 hex of the token sent by e-mail: a database leak opens no account.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("activation link")
        verbose_name_plural = _("activation links")

    def __str__(self) -> str:
        return f"{self.account} ({self.expires_at:%Y-%m-%d %H:%M})"
