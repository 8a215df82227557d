from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    PT_BR = "pt-br", _("Portuguese (Brazil)")
    EN = "en", _("English")
    ES = "es", _("Spanish")


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.PT_BR
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # One user per e-mail, in any case: an e-mail logs in (tenancy.auth). Blank
            # e-mails (users made without one) are left out.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_ci_unique",
                violation_error_message=_("A user with this e-mail already exists."),
            )
        ]


GRACE_RANGE = _("Choose between 1 and 1,440 minutes (one day).")


class Organization(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.PT_BR
    )
    alert_grace_minutes = models.PositiveIntegerField(
        _("alert grace period (minutes)"),
        default=15,
        help_text=_("How long a terminal may stay silent before it counts as disconnected."),
        # Under a minute the beat sweep (every minute) could not honour it; over a day it
        # hides outages.
        validators=[
            MinValueValidator(1, message=GRACE_RANGE),
            MaxValueValidator(24 * 60, message=GRACE_RANGE),
        ],
    )
    sender_email = models.EmailField(
        _("sender e-mail"), blank=True, help_text=_("From address of the alert e-mails.")
    )
    send_reconnected_email = models.BooleanField(_("send “reconnected” e-mails"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class TenantQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> TenantQuerySet:
        return self.filter(organization=organization)

    def get_for_org_or_404(self, *, organization: Organization, **lookup):
        """The row of `organization` matching `lookup`; 404 when it is missing *or* foreign,
        so that nobody learns another organization's row exists."""
        try:
            return self.for_org(organization).get(**lookup)
        except (self.model.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
            raise Http404 from exc

    def _associations(self, project: Project):
        projects = self.model._meta.get_field("projects")
        return projects.remote_field.through.objects.filter(
            **{
                projects.m2m_field_name(): OuterRef("pk"),
                projects.m2m_reverse_field_name(): project,
            }
        )

    def in_project(self, project: Project | None) -> TenantQuerySet:
        """The rows associated with `project` through the model's `projects` field; all of
        them when `project` is None. A semi-join (EXISTS) rather than a join: no duplicate
        rows, and the model's own indexes (order, search) keep driving the query."""
        if project is None:
            return self
        return self.filter(Exists(self._associations(project)))

    def outside_project(self, project: Project | None) -> TenantQuerySet:
        """The rows *not* associated with `project` (what association mode offers); none when
        there is no project to associate them with."""
        if project is None:
            return self.none()
        return self.filter(~Exists(self._associations(project)))


class TenantModel(models.Model):
    """Base of every tenant-owned row: an organization and a public UUID code."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class NamedEntry(TenantModel):
    """A named entry of one of the organization's lists (groups, roles, calendars)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="%(class)s_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        OPERATOR = "operator", _("Operator")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class Project(TenantModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(_("name"), max_length=120)
    # An archived project leaves the project selector; its clients and specialists keep
    # their association, so restoring it brings it back as it was.
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="project_unique_name")
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name
