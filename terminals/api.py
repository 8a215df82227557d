from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from terminals.heartbeats import heartbeats_record
from terminals.models import Terminal
from terminals.selectors import terminal_api_list

router = Router(tags=["terminals"])

MAX_HEARTBEATS = 10_000
# Control characters are never part of an identifier, and PostgreSQL refuses a NUL outright.
Identifier = Annotated[str, StringConstraints(max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")]


class HeartbeatsIn(Schema):
    identifiers: list[Identifier] = Field(
        ...,
        min_length=1,
        max_length=MAX_HEARTBEATS,
        description="Identifiers of the terminals heard from now.",
    )


class HeartbeatsOut(Schema):
    received: int
    updated: int
    unknown: list[str] = Field(description="Identifiers this organization has no terminal for.")


@router.post("/heartbeats", response=HeartbeatsOut)
def post_heartbeats(request: HttpRequest, payload: HeartbeatsIn):
    result = heartbeats_record(organization=request.organization, identifiers=payload.identifiers)
    return {"received": result.received, "updated": result.updated, "unknown": result.unknown}


class TerminalOut(Schema):
    code: UUID
    identifier: str
    name: str
    status: str
    device_type: str | None
    email_wvds: str
    client: UUID | None
    last_heartbeat_at: datetime | None


class TerminalFilter(Schema):
    status: Terminal.Status | None = None
    after: Identifier = Field("", description="Identifier to continue after (keyset pagination).")
    limit: int = Field(100, ge=1, le=1000)


class TerminalPage(Schema):
    items: list[TerminalOut]
    next_after: str | None


@router.get("/terminals", response=TerminalPage)
def list_terminals(request: HttpRequest, filters: Query[TerminalFilter]):
    rows = terminal_api_list(
        organization=request.organization,
        status=filters.status,
        after=filters.after,
        limit=filters.limit,
    )
    items = [
        {
            "code": t.code,
            "identifier": t.identifier,
            "name": t.name,
            "status": t.status,
            "device_type": t.device_type.name if t.device_type else None,
            "email_wvds": t.email_wvds,
            "client": t.client.code if t.client else None,
            "last_heartbeat_at": t.last_heartbeat_at,
        }
        for t in rows
    ]
    next_after = rows[-1].identifier if len(rows) == filters.limit else None
    return {"items": items, "next_after": next_after}
