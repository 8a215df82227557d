"""What the API frame (bearer-token lookup, constant-time check, per-token rate limit, JSON
rendering) costs per call, measured against the same request without a token (the 401
path, which runs the frame's error handling but no database or cache work).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.api_auth [--calls 2000]

Prints one JSON object on the last line; `ratio` is authenticated ÷ baseline time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from specialists.models import Specialist  # noqa: E402
from tenancy.models import Organization  # noqa: E402
from tokens.services import token_create  # noqa: E402

ROUNDS = 5


def _timed(client: Client, headers: dict[str, str], expected: int, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        response = client.get("/api/v1/me", **headers)
        assert response.status_code == expected, response.content
    return (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls",
        type=int,
        default=int(os.environ.get("BENCH_CALLS", "2000")),
        help="calls per timed round (default: BENCH_CALLS, else 2000)",
    )
    calls = parser.parse_args().calls
    # The bench's tokens live in a database of their own but may share Redis with a test run,
    # whose tokens have the same primary keys: the bench counts its calls in its own keys.
    settings.CACHES["default"]["KEY_PREFIX"] = "bench-api-auth"
    assert cache.make_key("x").startswith("bench-api-auth")  # the cache is made on first use
    call_command("migrate", verbosity=0)
    settings.API_RATE_LIMIT_REQUESTS = calls * ROUNDS * 2  # measured, never refused
    settings.ALLOWED_HOSTS = ["testserver"]
    organization, _ = Organization.objects.get_or_create(
        slug="bench-api", defaults={"name": "Bench API"}
    )
    specialist, _ = Specialist.objects.get_or_create(
        organization=organization, email="bench@example.com", defaults={"name": "Bench"}
    )
    issued = token_create(
        organization=organization,
        specialist=specialist,
        description="bench",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    client = Client()
    authenticated = {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    try:
        _timed(client, authenticated, 200, calls)  # warm-up: imports, connections
        baseline, measured = [], []
        for _ in range(ROUNDS):
            baseline.append(_timed(client, {}, 401, calls))
            measured.append(_timed(client, authenticated, 200, calls))
    finally:
        issued.token.delete()
    base, auth = statistics.median(baseline), statistics.median(measured)
    print(
        json.dumps(
            {
                "bench": "api_auth",
                "calls_per_round": calls,
                "rounds": ROUNDS,
                "baseline_401_ms": round(base * 1000, 3),
                "authenticated_me_ms": round(auth * 1000, 3),
                "ratio": round(auth / base, 2),
                "authenticated_calls_per_s": round(1 / auth),
            }
        )
    )


if __name__ == "__main__":
    main()
