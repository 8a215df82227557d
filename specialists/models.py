from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenancy.additional_fields import FieldType
from tenancy.models import Language, NamedEntry, Project, TenantModel


class SpecialistGroup(NamedEntry):
    # Offered to a specialist who joins the group (the same as a client group's projects).
    projects = models.ManyToManyField(
        Project, related_name="specialist_groups", blank=True, verbose_name=_("projects")
    )

    class Meta(NamedEntry.Meta):
        verbose_name = _("specialist group")
        verbose_name_plural = _("specialist groups")


class Role(NamedEntry):
    class Meta(NamedEntry.Meta):
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class Calendar(NamedEntry):
    """A pre-configured working calendar a shift follows (e.g. "Comercial 8h–18h")."""

    class Meta(NamedEntry.Meta):
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")


# The address tab, in the order the screen and the spreadsheet show it.
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


def _photo_path(instance: Specialist, filename: str) -> str:
    return f"specialists/{instance.organization_id}/{instance.code}/{filename}"


class Specialist(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    culture = models.CharField(
        _("culture"), max_length=8, choices=Language.choices, default=Language.PT_BR
    )
    photo = models.ImageField(_("photo"), upload_to=_photo_path, blank=True)
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"), upload_to=_photo_path, blank=True, editable=False
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="specialist",
    )
    projects = models.ManyToManyField(
        Project, related_name="specialists", blank=True, verbose_name=_("projects")
    )
    groups = models.ManyToManyField(
        SpecialistGroup, related_name="specialists", blank=True, verbose_name=_("groups")
    )
    roles = models.ManyToManyField(
        Role, related_name="specialists", blank=True, verbose_name=_("roles")
    )

    # Address tab.
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    complement = models.CharField(_("complement"), max_length=120, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=60, blank=True)
    country = models.CharField(_("country"), max_length=60, blank=True, default="Brasil")

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"], name="specialist_unique_email"
            )
        ]
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")

    def __str__(self) -> str:
        return self.name


class Shift(TenantModel):
    specialist = models.ForeignKey(
        Specialist, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("specialist")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("calendar")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="shift_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["specialist", "starts_on"])]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"


class Feedback(TenantModel):
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("specialist"),
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


class AdditionalField(TenantModel):
    """An extra field an organization defines once for all its specialists, or for all its
    clients (tenancy.additional_fields holds what both do with it)."""

    Type = FieldType

    class Entity(models.TextChoices):
        SPECIALIST = "specialist", _("Specialists")
        CLIENT = "client", _("Clients")

    entity = models.CharField(
        _("for"),
        max_length=16,
        choices=Entity.choices,
        default=Entity.SPECIALIST,
        db_default=Entity.SPECIALIST,
    )
    label = models.CharField(_("label"), max_length=120)
    field_type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.TEXT)
    # One option per line; only used by choice fields.
    choices = models.TextField(
        _("options"), blank=True, help_text=_("For choice fields: one option per line.")
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "entity", "label"], name="additionalfield_unique_label"
            )
        ]
        verbose_name = _("additional field")
        verbose_name_plural = _("additional fields")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class AdditionalFieldValue(models.Model):
    """A specialist's value for one additional field, stored in its canonical text form
    (ISO date, plain decimal) so that exports and imports need no per-type column."""

    specialist = models.ForeignKey(
        Specialist, on_delete=models.CASCADE, related_name="additional_values"
    )
    field = models.ForeignKey(AdditionalField, on_delete=models.CASCADE, related_name="values")
    value = models.TextField(_("value"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "field"], name="additionalfieldvalue_unique"
            )
        ]
        verbose_name = _("additional field value")
        verbose_name_plural = _("additional field values")

    def __str__(self) -> str:
        return f"{self.field}: {self.value}"
