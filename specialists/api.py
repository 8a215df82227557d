from __future__ import annotations

from uuid import UUID

from ninja import Router, Schema

from specialists.selectors import specialist_get

router = Router(tags=["specialists"])


class OrganizationOut(Schema):
    code: UUID
    name: str


class SpecialistOut(Schema):
    code: UUID
    name: str
    email: str
    status: str
    culture: str


class MeOut(Schema):
    specialist: SpecialistOut
    organization: OrganizationOut


class ErrorOut(Schema):
    detail: str


@router.get("/me", response={200: MeOut, 401: ErrorOut, 429: ErrorOut})
def me(request):
    """The specialist this token acts as, and its organization."""
    return {"specialist": request.specialist, "organization": request.organization}


@router.get("/specialists/{code}", response={200: SpecialistOut, 401: ErrorOut, 404: ErrorOut})
def specialist_detail(request, code: UUID):
    """A specialist of the token's organization; another organization's is a 404."""
    return specialist_get(organization=request.organization, code=code)
