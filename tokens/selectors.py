from __future__ import annotations

from django.db.models import QuerySet

from specialists.models import Specialist
from tenancy.models import Organization
from tokens.models import IntegrationToken


def token_list(*, organization: Organization, specialist: Specialist) -> QuerySet:
    return IntegrationToken.objects.for_org(organization).filter(specialist=specialist)


def token_get(*, organization: Organization, specialist: Specialist, code) -> IntegrationToken:
    """The specialist's token with this code; 404 when missing, foreign or another
    specialist's."""
    return IntegrationToken.objects.filter(specialist=specialist).get_for_org_or_404(
        organization=organization, code=code
    )
