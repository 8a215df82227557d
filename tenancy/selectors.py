from __future__ import annotations

import uuid

from django.db.models import QuerySet
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


def project_list(*, organization: Organization) -> QuerySet[Project]:
    return Project.objects.for_org(organization).order_by("name")


def project_for_request(request: HttpRequest, organization: Organization) -> Project | None:
    projects = project_list(organization=organization)
    chosen = request.session.get(PROJECT_SESSION_KEY)
    if chosen:
        project = projects.filter(code=chosen).first()
        if project is not None:
            return project
    return projects.first()


def project_get(*, organization: Organization, code) -> Project:
    return Project.objects.get_for_org_or_404(organization=organization, code=code)
