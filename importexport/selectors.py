from __future__ import annotations

from django.db.models import QuerySet

from importexport.models import ImportFailure
from importexport.registry import formats
from notifications.models import Job
from tenancy.models import Organization


def entity_counts(*, organization: Organization) -> dict[str, int]:
    """How many records each entity with a format has (one query per entity)."""
    return {
        name: fmt.model.objects.filter(organization=organization).count()
        for name, fmt in formats().items()
    }


def import_failures(*, job: Job, limit: int = 50) -> QuerySet[ImportFailure]:
    return ImportFailure.objects.filter(job=job).order_by("row_number")[:limit]
