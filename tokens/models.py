from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from specialists.models import Specialist
from tenancy.models import TenantModel


class IntegrationToken(TenantModel):
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.CASCADE,
        related_name="tokens",
        verbose_name=_("specialist"),
    )
    description = models.CharField(_("description"), max_length=200)
    # The public part of the token, shown in lists and used to find the row.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    # SHA-256 of the whole token; the token itself is never stored.
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")

    def __str__(self) -> str:
        return f"{self.description} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
