from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Job
from tenancy.models import Organization


def job_list(*, organization: Organization, user) -> QuerySet[Job]:
    return Job.objects.for_org(organization).filter(user=user).order_by("-created_at", "-id")


def job_unread_count(*, organization: Organization, user) -> int:
    return job_list(organization=organization, user=user).filter(read_at__isnull=True).count()


def job_get(*, organization: Organization, user, code) -> Job:
    """The user's own job in this organization; 404 when missing, foreign or someone else's."""
    return Job.objects.get_for_org_or_404(organization=organization, user=user, code=code)
