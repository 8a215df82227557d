from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from clients.models import ClientGroup
from specialists.models import (
    AdditionalField,
    Calendar,
    Feedback,
    Role,
    Shift,
    Specialist,
    SpecialistGroup,
)
from tenancy.models import Organization, Project


def specialist_list(
    *,
    organization: Organization,
    project: Project | None = None,
    q: str = "",
    status: str = "",
    outside: bool = False,
) -> QuerySet:
    """The organization's specialists, only those of `project` when one is given (the
    "Projeto" the operator works in); with `outside`, those not in it (association mode)."""
    qs = Specialist.objects.for_org(organization)
    qs = qs.outside_project(project) if outside else qs.in_project(project)
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if status in Specialist.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("name", "id")


def specialist_get(*, organization: Organization, code) -> Specialist:
    """The organization's specialist with this code; 404 when missing or foreign."""
    return Specialist.objects.select_related("user").get_for_org_or_404(
        organization=organization, code=code
    )


def additional_field_list(
    *, organization: Organization, entity: str = AdditionalField.Entity.SPECIALIST
) -> QuerySet:
    """The organization's additional fields for specialists, or for another `entity`."""
    return AdditionalField.objects.for_org(organization).filter(entity=entity)


def additional_field_get(*, organization: Organization, code) -> AdditionalField:
    return AdditionalField.objects.get_for_org_or_404(organization=organization, code=code)


def additional_values(*, specialist: Specialist) -> dict[int, str]:
    """The specialist's additional values, by field id."""
    return dict(specialist.additional_values.values_list("field_id", "value"))


def shift_list(*, organization: Organization, specialist: Specialist) -> QuerySet:
    return (
        Shift.objects.for_org(organization)
        .filter(specialist=specialist)
        .select_related("calendar")
        .order_by("starts_on", "id")
    )


def shift_get(*, organization: Organization, specialist: Specialist, code) -> Shift:
    return Shift.objects.filter(specialist=specialist).get_for_org_or_404(
        organization=organization, code=code
    )


def feedback_list(*, organization: Organization, specialist: Specialist) -> QuerySet:
    return (
        Feedback.objects.for_org(organization)
        .filter(specialist=specialist)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


# The catalogs an organization manages: specialist groups, client groups, roles, calendars.
# All four are a name and a description, so one set of screens serves them.
CATALOGS: dict[str, type] = {
    "specialist-groups": SpecialistGroup,
    "client-groups": ClientGroup,
    "roles": Role,
    "calendars": Calendar,
}


def catalog_model(kind: str) -> type:
    try:
        return CATALOGS[kind]
    except KeyError as exc:
        raise Http404 from exc


def catalog_list(*, organization: Organization, kind: str, q: str = "") -> QuerySet:
    qs = catalog_model(kind).objects.for_org(organization)
    if q := q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs.order_by("name")


def catalog_get(*, organization: Organization, kind: str, code):
    """A catalog entry of the organization; 404 when missing, foreign or of an unknown kind."""
    return catalog_model(kind).objects.get_for_org_or_404(organization=organization, code=code)


def catalog_associated(
    *, organization: Organization, kind: str, specialist: Specialist
) -> QuerySet:
    """The groups or roles the specialist is associated with."""
    return catalog_list(organization=organization, kind=kind).filter(specialists=specialist)


def catalog_unassociated(
    *, organization: Organization, kind: str, specialist: Specialist, q: str = "", limit: int = 20
) -> QuerySet:
    """Groups or roles matching `q` that the specialist is not associated with yet."""
    return catalog_list(organization=organization, kind=kind, q=q).exclude(specialists=specialist)[
        :limit
    ]


def calendar_list(*, organization: Organization) -> QuerySet:
    return Calendar.objects.for_org(organization).order_by("name")


def client_group_list(*, organization: Organization) -> QuerySet:
    return ClientGroup.objects.for_org(organization).order_by("name")
