from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from terminals.models import Terminal
from tests.factories import SpecialistFactory, TerminalFactory
from tokens.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(org_a) -> dict[str, str]:
    specialist = SpecialistFactory(organization=org_a)
    issued = token_create(
        organization=org_a,
        specialist=specialist,
        description="player fleet",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


def test_it_records_heartbeats_and_reports_unknown_identifiers(client, bearer, org_a, org_b):
    terminal = TerminalFactory(organization=org_a, status="never_seen", last_heartbeat_at=None)
    foreign = TerminalFactory(organization=org_b, identifier="B-1", last_heartbeat_at=None)

    response = client.post(
        "/api/v1/heartbeats",
        {"identifiers": [terminal.identifier, "B-1", "GHOST"]},
        content_type="application/json",
        **bearer,
    )

    assert response.status_code == 200
    assert response.json() == {"received": 3, "updated": 1, "unknown": ["B-1", "GHOST"]}
    terminal.refresh_from_db()
    foreign.refresh_from_db()
    assert terminal.status == Terminal.Status.CONNECTED and terminal.last_heartbeat_at
    assert foreign.last_heartbeat_at is None


def test_it_refuses_a_call_without_a_valid_token(client, org_a):
    response = client.post(
        "/api/v1/heartbeats", {"identifiers": ["X"]}, content_type="application/json"
    )
    assert response.status_code == 401
    response = client.post(
        "/api/v1/heartbeats",
        {"identifiers": ["X"]},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer vg_nope_nope",
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"identifiers": []},
        {"identifiers": "TRM-1"},
        {"identifiers": [1, {"a": 2}]},
        {"identifiers": ["TRM\u0000-1"]},
        {"identifiers": ["x" * 121]},
    ],
)
def test_it_rejects_a_malformed_batch(client, bearer, payload):
    response = client.post("/api/v1/heartbeats", payload, content_type="application/json", **bearer)
    assert response.status_code == 422


def test_it_rejects_a_batch_over_the_limit(client, bearer):
    response = client.post(
        "/api/v1/heartbeats",
        {"identifiers": [f"T{i}" for i in range(10_001)]},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422


def test_it_lists_terminals_by_status_with_keyset_pages(client, bearer, org_a, org_b):
    for i in range(3):
        TerminalFactory(organization=org_a, identifier=f"A-{i}", status="disconnected")
    TerminalFactory(organization=org_a, identifier="A-9", status="connected")
    TerminalFactory(organization=org_b, identifier="B-0", status="disconnected")

    first = client.get("/api/v1/terminals?status=disconnected&limit=2", **bearer).json()
    rest = client.get(
        f"/api/v1/terminals?status=disconnected&limit=2&after={first['next_after']}", **bearer
    ).json()

    assert [t["identifier"] for t in first["items"]] == ["A-0", "A-1"]
    assert [t["identifier"] for t in rest["items"]] == ["A-2"] and rest["next_after"] is None
    assert first["items"][0]["device_type"] == "Android"


def test_it_rejects_an_unknown_status(client, bearer):
    assert client.get("/api/v1/terminals?status=sleeping", **bearer).status_code == 422
