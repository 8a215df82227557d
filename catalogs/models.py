"""Catalogs: named collections of documents an organization publishes to its clients
(Firenze's "Catálogos"). A client's portal users see only the catalogs released to it."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.models import TenantModel


class Catalog(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    clients = models.ManyToManyField(
        Client, related_name="catalogs", blank=True, verbose_name=_("released to")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("catalog")
        verbose_name_plural = _("catalogs")
        constraints = [
            models.UniqueConstraint(
                "organization",
                models.functions.Lower("name"),
                name="catalog_unique_name",
                violation_error_message=_("A catalog with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


def document_upload_to(instance: CatalogDocument, filename: str) -> str:
    # A fresh random name: the operator's file name never reaches the storage path, and a
    # replaced document is never served from a cache under the old name.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"catalogs/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


class CatalogDocument(TenantModel):
    """One entry of a catalog: an uploaded file or a link, never both. It carries its
    organization (the catalog's) so that every access goes through the tenant's rows."""

    catalog = models.ForeignKey(
        Catalog, on_delete=models.CASCADE, related_name="documents", verbose_name=_("catalog")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to, blank=True, max_length=200)
    # The name the file had when it was uploaded: what its download is called.
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("catalog document")
        verbose_name_plural = _("catalog documents")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(file="") & ~models.Q(url=""))
                | (~models.Q(file="") & models.Q(url="")),
                name="catalogdocument_file_or_url",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)
