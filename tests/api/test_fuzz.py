"""Schema-driven fuzzing of the whole API against the live test server: whatever the
generated input, no endpoint may answer 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.django_db(transaction=True)


def _fuzz(schema_url: str, authorization: str, max_examples: int) -> list[str]:
    """Runs every operation of the schema; returns the operations that were exercised."""
    schema = schemathesis.openapi.from_url(schema_url)
    exercised = []
    for result in schema.get_all_operations():
        operation = result.ok()

        # One Hypothesis run per operation, so a failure names the endpoint.
        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers={"Authorization": authorization})
            case.validate_response(response, checks=[not_a_server_error])
            assert isinstance(response.json(), (dict, list))  # every answer is JSON

        run()
        exercised.append(operation.label)
    return exercised


def test_it_never_answers_5xx(live_server, settings, api_token):
    settings.API_RATE_LIMIT_REQUESTS = 0  # the fuzzer is allowed to be busy
    exercised = _fuzz(f"{live_server.url}/api/v1/openapi.json", f"Bearer {api_token}", 60)
    assert "GET /api/v1/me" in exercised


def test_it_never_answers_5xx_with_a_bogus_token(live_server):
    _fuzz(f"{live_server.url}/api/v1/openapi.json", "Bearer vg_bogus_token", 10)
