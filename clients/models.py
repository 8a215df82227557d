from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients import cnpj
from clients.cnpj import validate_cnpj
from tenancy.models import NamedEntry, Project, TenantModel


class PostgreSQLOnlyGinIndex(GinIndex):
    """A GIN index that exists on PostgreSQL only. On SQLite (`make run`) Django creates and
    drops nothing for it, also when it rebuilds the table for a later migration; the
    queries it speeds up are the same on both."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


class ClientGroup(NamedEntry):
    class Meta(NamedEntry.Meta):
        verbose_name = _("client group")
        verbose_name_plural = _("client groups")


class Client(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    # Stored normalized (no punctuation, upper case); shown through `cnpj_formatted`.
    cnpj = models.CharField(_("CNPJ"), max_length=14, validators=[validate_cnpj])
    razao_social = models.CharField(_("Legal name"), max_length=200)
    nome_fantasia = models.CharField(_("Trade name"), max_length=200, blank=True)
    conta = models.CharField(_("Account"), max_length=200, blank=True)
    email_wvds = models.EmailField(_("WVDS e-mail"), blank=True)
    anotacoes = models.TextField(_("Notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    projects = models.ManyToManyField(
        Project, related_name="clients", blank=True, verbose_name=_("projects")
    )
    groups = models.ManyToManyField(
        ClientGroup, related_name="clients", blank=True, verbose_name=_("groups")
    )
    # Derived from the five searchable fields by clients.search.client_search_text; every
    # writer (services, imports, COPY loaders) stores it. PostgreSQL indexes it with pg_trgm.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["razao_social", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "cnpj"], name="client_unique_cnpj")
        ]
        indexes = [
            models.Index(fields=["organization", "email_wvds"]),
            # The list's order, carrying search_text so that a page of a common word walks
            # this index alone (SQLite has no INCLUDE: it builds the index without it).
            models.Index(
                fields=["organization", "razao_social", "id"],
                include=["search_text"],
                name="client_org_name_idx",
            ),
            # `search_text LIKE '%word%'` at millions of rows (pg_trgm).
            PostgreSQLOnlyGinIndex(
                fields=["search_text"], opclasses=["gin_trgm_ops"], name="client_search_trgm_idx"
            ),
        ]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.nome_fantasia or self.razao_social

    @property
    def cnpj_formatted(self) -> str:
        return cnpj.format_cnpj(self.cnpj)
