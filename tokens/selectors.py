from __future__ import annotations

from django.db.models import QuerySet

from specialists.models import Specialist
from tenancy.models import Organization
from tokens.models import IntegrationToken


def token_list(*, organization: Organization, specialist: Specialist) -> QuerySet:
    return IntegrationToken.objects.for_org(organization).filter(specialist=specialist)


def token_get(*, organization: Organization, code) -> IntegrationToken:
    """The organization's token with this code; 404 when missing or foreign."""
    return IntegrationToken.objects.select_related("specialist").get_for_org_or_404(
        organization=organization, code=code
    )
