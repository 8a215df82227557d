from __future__ import annotations

import uuid

from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from tenancy.models import Membership, Organization, Project

ORGANIZATION_SESSION_KEY = "vigia_organization"
PROJECT_SESSION_KEY = "vigia_project"


def membership_list(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization")


def membership_find(*, user, organization_code: str) -> Membership | None:
    """The user's membership in the organization with that code; None when it is not theirs
    (or the code is not even a UUID)."""
    try:
        code = uuid.UUID(organization_code)
    except (TypeError, ValueError):
        return None
    return membership_list(user=user).filter(organization__code=code).first()


def membership_for_request(request: HttpRequest) -> Membership | None:
    """The membership chosen in this session, else the user's first one."""
    memberships = membership_list(user=request.user).order_by("organization__name")
    chosen = request.session.get(ORGANIZATION_SESSION_KEY)
    if chosen:
        membership = membership_find(user=request.user, organization_code=chosen)
        if membership is not None:
            return membership
    return memberships.first()


def project_list(
    *, organization: Organization, include_archived: bool = False
) -> QuerySet[Project]:
    """The organization's projects, the archived ones only when asked for: those have left
    the project selector."""
    projects = Project.objects.for_org(organization)
    if not include_archived:
        projects = projects.filter(archived=False)
    return projects.order_by("name")


def project_overview(*, organization: Organization) -> QuerySet[Project]:
    """Every project of the organization, archived ones last, each annotated with how many
    rows of each associated kind it holds (`<relation>_count`, e.g. clients_count). The
    kinds are found from the relations other apps declare to Project, so tenancy names no
    app above it; one COUNT subquery each, on the association table's project index."""
    projects = project_list(organization=organization, include_archived=True).order_by(
        "archived", "name"
    )
    for relation in project_relations():
        through = relation.through
        column = relation.field.m2m_reverse_field_name()
        counts = (
            through.objects.filter(**{column: OuterRef("pk")})
            .order_by()
            .values(column)
            .annotate(n=Count("*"))
            .values("n")
        )
        projects = projects.annotate(
            **{f"{relation.name}_count": Coalesce(Subquery(counts), Value(0))}
        )
    return projects


def project_relations() -> list:
    """The many-to-many relations other models declare to Project (clients, specialists)."""
    return [
        field
        for field in Project._meta.get_fields()
        if field.many_to_many and field.auto_created and not field.concrete
    ]


def project_for_request(request: HttpRequest, organization: Organization) -> Project | None:
    projects = project_list(organization=organization)
    chosen = request.session.get(PROJECT_SESSION_KEY)
    if chosen:
        project = projects.filter(code=chosen).first()
        if project is not None:
            return project
    return projects.first()


def project_get(*, organization: Organization, code, include_archived: bool = False) -> Project:
    """The organization's project with this code; 404 when missing, foreign, or archived
    (unless `include_archived`)."""
    return project_list(
        organization=organization, include_archived=include_archived
    ).get_for_org_or_404(organization=organization, code=code)
