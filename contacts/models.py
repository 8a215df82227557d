from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client, PostgreSQLOnlyGinIndex
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
    # Derived from the name and e-mail by contacts.services.contact_prepare, which every
    # writer applies (the clients' search approach: see clients.search).
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The Contatos list's order, carrying search_text so that a page of a common
            # word walks this index alone (SQLite has no INCLUDE: it builds it without).
            models.Index(
                fields=["organization", "name", "id"],
                include=["search_text"],
                name="contact_org_name_idx",
            ),
            PostgreSQLOnlyGinIndex(
                fields=["search_text"], opclasses=["gin_trgm_ops"], name="contact_search_trgm_idx"
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
