from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from contacts.models import Contact
from tenancy.models import Organization, TenantModel


def _organization_fk() -> models.ForeignKey:
    # The composite indexes below all start with the organization, so a separate index on
    # it would only slow down the bulk writes of heartbeats and sweeps.
    return models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
        db_index=False,
    )


class DeviceType(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    # Sanitized HTML (an allow-list) written by admins; shown in e-mails and PDFs.
    reconnection_procedure = models.TextField(
        _("reconnection procedure"),
        blank=True,
        help_text=_("The steps that bring a terminal of this type back online."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Android" and "android" are one type to the people picking it from a list.
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                name="devicetype_unique_name_ci",
                violation_error_message=_("A device type with this name already exists."),
            )
        ]
        verbose_name = _("device type")
        verbose_name_plural = _("device types")

    def __str__(self) -> str:
        return self.name


def alert_deadline(last_heartbeat_at: datetime | F, *, organization: Organization):
    """When a connected terminal counts as disconnected: its last heartbeat plus its
    organization's grace period. The one definition of the rule: given a datetime it answers
    a datetime (what a heartbeat stores), given F("last_heartbeat_at") the SQL expression the
    sweep filters and writes with, on PostgreSQL and SQLite alike."""
    return last_heartbeat_at + timedelta(minutes=organization.alert_grace_minutes)


class Terminal(TenantModel):
    class Status(models.TextChoices):
        NEVER_SEEN = "never_seen", _("Never seen")
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Disconnected")

    organization = _organization_fk()
    identifier = models.CharField(_("identifier"), max_length=120)
    name = models.CharField(_("name"), max_length=200, blank=True)
    device_type = models.ForeignKey(
        DeviceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terminals",
        verbose_name=_("device type"),
    )
    # Stored lower-cased so the client page finds its terminals through the index.
    email_wvds = models.EmailField(_("WVDS e-mail"), blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="terminals",
        verbose_name=_("client"),
    )
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEVER_SEEN
    )
    # alert_deadline(last heartbeat), written with the heartbeats (lazily: it may lag behind,
    # never run ahead): the sweep then only reads the few connected rows past this bound.
    alert_after = models.DateTimeField(null=True, blank=True, editable=False)
    # The start of the open episode, kept beside the status by the sweep and the heartbeats,
    # so "longest outage first" is an index scan of the terminals, not a join with episodes.
    disconnected_since = models.DateTimeField(
        _("disconnected since"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier"], name="terminal_unique_identifier"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "email_wvds"]),
            models.Index(fields=["organization", "status"], name="terminal_org_status"),
            models.Index(
                fields=["alert_after"],
                name="terminal_alert_after_conn",
                condition=Q(status="connected"),
            ),
            # The list's sorts: "longest outage first" here; "by last signal" has its index
            # on PostgreSQL only (migration 0007: SQLite indexes know no NULLS LAST).
            models.Index(
                fields=["organization", "disconnected_since", "id"],
                name="terminal_org_outage",
                condition=Q(disconnected_since__isnull=False),
            ),
        ]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")

    def __str__(self) -> str:
        return self.name or self.identifier

    @property
    def status_badge(self) -> str:
        return {
            self.Status.CONNECTED: "badge-ok",
            self.Status.DISCONNECTED: "badge-danger",
        }.get(self.status, "badge-warn")


class Episode(TenantModel):
    """One disconnection of a terminal: opened by the sweep's flip, closed by the next
    heartbeat. Its e-mails hang off it, so one episode can never alert twice."""

    organization = _organization_fk()
    terminal = models.ForeignKey(
        Terminal, on_delete=models.CASCADE, related_name="episodes", verbose_name=_("terminal")
    )
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("disconnected at"))
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    ended_at = models.DateTimeField(_("reconnected at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledgement_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["terminal"],
                condition=Q(ended_at__isnull=True),
                name="episode_one_open_per_terminal",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "-started_at"], name="episode_org_started"),
            # Availability reads the episodes that overlap a window: those that ended inside
            # it (this index) and the open ones (the unique partial index above).
            models.Index(fields=["organization", "ended_at"], name="episode_org_ended"),
            # "Longest open outages first": the open episodes alone, oldest first; the other
            # indexes would walk the whole history before the first open one.
            models.Index(
                fields=["organization", "started_at", "id"],
                name="episode_open_started",
                condition=Q(ended_at__isnull=True),
            ),
        ]
        verbose_name = _("disconnection episode")
        verbose_name_plural = _("disconnection episodes")

    def __str__(self) -> str:
        return f"{self.terminal_id} @ {self.started_at:%Y-%m-%d %H:%M}"


class MaintenanceWindow(TenantModel):
    """A planned silence of one terminal or of every terminal of a client: no "disconnected"
    alert while it lasts; a terminal still silent when it ends opens its episode then."""

    organization = _organization_fk()
    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_windows",
        verbose_name=_("terminal"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(terminal__isnull=False, client__isnull=True)
                | Q(terminal__isnull=True, client__isnull=False),
                name="maintenance_terminal_or_client",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="maintenance_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "ends_at"], name="maintenance_org_ends"),
        ]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self) -> str:
        return f"{self.terminal or self.client}: {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.starts_at <= timezone.now() < self.ends_at


def in_maintenance(now: datetime) -> Q:
    """Terminals under a maintenance window at `now`, their own or their client's. Two
    semi-joins over the few running windows, which both databases hash once, rather than a
    subquery per terminal: the sweep filters with it, the list filters and annotates with it.
    Ids are unique across organizations, so a window only ever names its own rows."""
    running = MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now)
    return Q(id__in=running.filter(terminal__isnull=False).values("terminal_id")) | Q(
        client_id__in=running.filter(client__isnull=False).values("client_id")
    )


# Stands in a stored message's body for its secret (AlertEmail.secret); what the history
# shows once the secret is erased.
SECRET_MARK = "[link]"  # noqa: S105 (a placeholder, not a password)


class AlertEmail(TenantModel):
    """The outbox: one row per e-mail, written in the transaction that opened or closed the
    episode and claimed by one worker at a time."""

    class Kind(models.TextChoices):
        DISCONNECTED = "disconnected", _("Disconnected")
        RECONNECTED = "reconnected", _("Reconnected")
        # Not an alert: a message written elsewhere (the portal's activation e-mail, say)
        # with its subject and body stored on the row and sent as they are, so it goes
        # through the same queue, retries and history as the alerts.
        MESSAGE = "message", _("Message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    organization = _organization_fk()
    # The unique (episode, kind, recipient) constraint is the index for this key.
    episode = models.ForeignKey(
        Episode,
        on_delete=models.CASCADE,
        related_name="emails",
        db_index=False,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient = models.EmailField(_("recipient"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Pending: when to try (again). Sending: when the worker's lease runs out and another
    # worker may take the row over (the first one died).
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # What could not be rendered and went out without (the PDF, a body, a header): the
    # e-mail was sent all the same, and the alert history says what it lacked.
    render_problems = models.TextField(_("sent without"), blank=True)
    # Kind.MESSAGE only: what is sent, as written when it was queued.
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    # Kind.MESSAGE only: a credential the body carries (an activation link). The body keeps a
    # mark in its place; the value lives here until the e-mail is sent or given up, then it
    # is erased, so the history never holds a working link.
    secret = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind", "recipient"], name="alertemail_unique_per_episode"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="alertemail_due",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]
        verbose_name = _("alert e-mail")
        verbose_name_plural = _("alert e-mails")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def message_id(self) -> str:
        # Stable across retries, so a rare duplicate (worker died right after the server
        # accepted the message) can be folded by the receiving mail systems.
        return f"<alert-{self.code}@vigia>"

    @property
    def status_badge(self) -> str:
        return {
            self.Status.SENT: "badge-ok",
            self.Status.FAILED: "badge-danger",
        }.get(self.status, "badge-warn")
