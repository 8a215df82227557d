from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tenancy.models import Membership, Organization, Project, TenantModel, User

FOREIGN_ROW = _("This object does not belong to the organization.")


def ownership_check(
    organization: Organization, *rows: TenantModel | None, **fields: TenantModel | None
) -> None:
    """Refuses (ValidationError) rows of another organization; None (an empty optional
    relation) passes. A row handed by keyword reports on that field, so a form shows the
    error beside it. Views already reach rows through access helpers; tenant services apply
    this to every row they are handed, so the rule holds for any other caller too."""

    def foreign(row: TenantModel | None) -> bool:
        return row is not None and row.organization_id != organization.pk

    errors = {name: [FOREIGN_ROW] for name, row in fields.items() if foreign(row)}
    if any(foreign(row) for row in rows):
        errors[NON_FIELD_ERRORS] = [FOREIGN_ROW]
    if errors:
        raise ValidationError(errors)


def organization_create(*, name: str, slug: str | None = None, **fields) -> Organization:
    organization = Organization(name=name, slug=slug or slugify(name)[:80], **fields)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def membership_add(
    *, organization: Organization, user: User, role: str = Membership.Role.OPERATOR
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    return membership


def project_create(*, organization: Organization, name: str) -> Project:
    project = Project(organization=organization, name=name)
    project.full_clean()
    project.save()
    return project


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.full_clean(validate_unique=False, validate_constraints=False)
    user.save(update_fields=["language"])


def organization_update(*, organization: Organization, **fields) -> Organization:
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    organization.save(update_fields=list(fields))
    return organization
