from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.models import TenantModel


class Contact(TenantModel):
    # Optional: a person may hold a portal account before belonging to a client; without a
    # client nobody's terminal alerts reach them.
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("client"),
    )
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    auto_dispatch = models.BooleanField(
        _("Automatic dispatch"),
        default=False,
        help_text=_("This address receives the disconnected-terminal alerts."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
