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


DUPLICATE_PROJECT = _("A project with this name already exists in this organization.")


def _project_save(project: Project, *, update_fields: list[str] | None = None) -> Project:
    project.name = project.name.strip()
    # The (organization, name) constraint is checked by hand so the error lands on the field
    # and reads as the operator's words, archived projects included (the name stays taken).
    project.full_clean(validate_unique=False, validate_constraints=False)
    duplicate = Project.objects.for_org(project.organization).filter(name__iexact=project.name)
    if project.pk:
        duplicate = duplicate.exclude(pk=project.pk)
    if duplicate.exists():
        raise ValidationError({"name": DUPLICATE_PROJECT}, code="duplicate_project")
    project.save(update_fields=update_fields)
    return project


def project_create(*, organization: Organization, name: str) -> Project:
    return _project_save(Project(organization=organization, name=name))


def project_rename(*, organization: Organization, project: Project, name: str) -> Project:
    ownership_check(organization, project)
    project.name = name
    return _project_save(project, update_fields=["name"])


def project_set_archived(
    *, organization: Organization, project: Project, archived: bool
) -> Project:
    """Archives (or restores) a project: it leaves (or rejoins) the project selector; the
    clients and specialists associated with it stay associated either way."""
    ownership_check(organization, project)
    project.archived = archived
    project.save(update_fields=["archived"])
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
