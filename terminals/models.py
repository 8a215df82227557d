from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.models import TenantModel


class DeviceType(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    reconnection_procedure = models.TextField(
        _("reconnection procedure"),
        blank=True,
        help_text=_("The steps that bring a terminal of this type back online."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="devicetype_unique_name")
        ]
        verbose_name = _("device type")
        verbose_name_plural = _("device types")

    def __str__(self) -> str:
        return self.name


class Terminal(TenantModel):
    class Status(models.TextChoices):
        NEVER_SEEN = "never_seen", _("Never seen")
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Disconnected")

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "identifier"], name="terminal_unique_identifier"
            )
        ]
        indexes = [models.Index(fields=["organization", "email_wvds"])]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")

    def __str__(self) -> str:
        return self.name or self.identifier
