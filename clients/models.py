from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients import cnpj
from clients.cnpj import validate_cnpj
from tenancy.models import Language, NamedEntry, Organization, Project, TenantModel


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
    # Offered when a client joins the group: the dialog asks whether it joins these too.
    projects = models.ManyToManyField(
        Project, related_name="client_groups", blank=True, verbose_name=_("projects")
    )

    class Meta(NamedEntry.Meta):
        verbose_name = _("client group")
        verbose_name_plural = _("client groups")


# The address tab, in the order the screen and the spreadsheet show it (the specialists'
# names, so a location and a client are filled the same way).
ADDRESS_FIELDS = (
    "postal_code",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "state",
    "country",
)


class Address(models.Model):
    """The address fields a client and a location share. `db_default` too: the COPY loaders
    write rows without them."""

    postal_code = models.CharField(
        _("postal code"), max_length=16, blank=True, default="", db_default=""
    )
    street = models.CharField(_("street"), max_length=200, blank=True, default="", db_default="")
    number = models.CharField(_("number"), max_length=20, blank=True, default="", db_default="")
    complement = models.CharField(
        _("complement"), max_length=120, blank=True, default="", db_default=""
    )
    district = models.CharField(
        _("district"), max_length=120, blank=True, default="", db_default=""
    )
    city = models.CharField(_("city"), max_length=120, blank=True, default="", db_default="")
    state = models.CharField(_("state"), max_length=60, blank=True, default="", db_default="")
    country = models.CharField(
        _("country"), max_length=60, blank=True, default="Brasil", db_default="Brasil"
    )

    class Meta:
        abstract = True

    def address_values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


class Point(models.Model):
    """A point on the map (WGS 84 degrees); both or neither, checked by client_prepare."""

    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        abstract = True


class Location(NamedEntry, Address, Point):
    """A place the organization defines once (a branch, a mall); choosing it on a client
    fills the client's address."""

    class Meta(NamedEntry.Meta):
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name


class Company(NamedEntry):
    """One of the organization's own companies (legal entities) that serve clients."""

    class Meta(NamedEntry.Meta):
        verbose_name = _("company")
        verbose_name_plural = _("companies")


class Service(NamedEntry):
    """A service the organization provides to clients."""

    service_code = models.CharField(_("code"), max_length=40, blank=True)

    class Meta(NamedEntry.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")


def _photo_path(instance: Client, filename: str) -> str:
    return f"clients/{instance.organization_id}/{instance.code}/{filename}"


class Client(TenantModel, Address, Point):
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
    # The language of what is sent to the client's people (alert e-mails); empty: the
    # organization's language.
    culture = models.CharField(
        _("culture"), max_length=8, choices=Language.choices, blank=True, default="", db_default=""
    )
    photo = models.ImageField(
        _("photo"), upload_to=_photo_path, blank=True, default="", db_default=""
    )
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"),
        upload_to=_photo_path,
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("location"),
    )
    projects = models.ManyToManyField(
        Project, related_name="clients", blank=True, verbose_name=_("projects")
    )
    groups = models.ManyToManyField(
        ClientGroup, related_name="clients", blank=True, verbose_name=_("groups")
    )
    companies = models.ManyToManyField(
        Company, related_name="clients", blank=True, verbose_name=_("companies")
    )
    services = models.ManyToManyField(
        Service, related_name="clients", blank=True, verbose_name=_("services")
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


class ClientFeedback(TenantModel):
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("client")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return self.text[:60]


class ClientAdditionalValue(models.Model):
    """A client's value of one of the organization's additional fields for clients, in the
    canonical text form (see tenancy.additional_fields)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="additional_values")
    field = models.ForeignKey(
        "specialists.AdditionalField", on_delete=models.CASCADE, related_name="client_values"
    )
    value = models.TextField(_("value"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "field"], name="clientadditionalvalue_unique")
        ]
        verbose_name = _("additional field value")
        verbose_name_plural = _("additional field values")

    def __str__(self) -> str:
        return f"{self.field}: {self.value}"


def people_language(organization: Organization, client: Client | None) -> str:
    """The language of what is sent to a client's people (alert e-mails, the portal, its
    e-mails): the client's culture when it has one, else the organization's language."""
    return (client.culture if client is not None else "") or organization.language
