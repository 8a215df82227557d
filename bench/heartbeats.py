"""Heartbeats through the real HTTP API: gunicorn on loopback, several concurrent clients
posting batches of 1,000 identifiers for a while.

    DATABASE_URL=postgres://…/vigia_bench_terminals python -m bench.heartbeats --terminals 1000000

Prints one JSON line: heartbeats/s and p95 batch latency over HTTP, and, on a short slice in
the same run, the set-based statement against the baseline of one UPDATE per heartbeat.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.sweep import ensure_fleet, log  # noqa: E402
from specialists.models import Specialist  # noqa: E402
from terminals.heartbeats import heartbeats_record  # noqa: E402
from terminals.models import Terminal, alert_deadline  # noqa: E402
from tokens.services import token_create  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _identifier(n: int) -> str:
    return f"T{n:07d}"


def start_server(port: int, workers: int) -> subprocess.Popen:
    """gunicorn with the worker class production runs (the Dockerfile's: sync workers, one
    request per connection). Threads with kept-alive connections let one worker take every
    client's connection and serve them all on one core while the others idle."""
    # The per-token rate limit would measure itself: the fleet's load has no limit here.
    env = dict(
        os.environ,
        CONN_MAX_AGE="600",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        API_RATE_LIMIT_REQUESTS="0",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=Path(settings.BASE_DIR),
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def run_clients(
    *, port: int, token: str, terminals: int, batch: int, clients: int, duration: float
) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(seed: int) -> None:
        nonlocal errors, sent
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < stop_at:
            ids = [_identifier(rng.randint(1, terminals)) for _ in range(batch)]
            body = json.dumps({"identifiers": ids})
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/heartbeats", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                ok = response.status == 200 and not json.loads(payload)["unknown"]
            except (OSError, http.client.HTTPException, ValueError):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    sent += batch
                    latencies.append(elapsed)
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, latencies, errors


def per_row_baseline(organization, identifiers: list[str]) -> float:
    """The baseline: one UPDATE per heartbeat (batched in one transaction), heartbeats/s."""
    started = time.perf_counter()
    with transaction.atomic():
        for identifier in identifiers:
            now = timezone.now()
            Terminal.objects.filter(organization=organization, identifier=identifier).update(
                last_heartbeat_at=now,
                alert_after=alert_deadline(now, organization=organization),
                status="connected",
            )
    return len(identifiers) / (time.perf_counter() - started)


def set_based(organization, identifiers: list[str], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(identifiers), batch):
        heartbeats_record(organization=organization, identifiers=identifiers[start : start + batch])
    return len(identifiers) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terminals", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of HTTP load")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--slice", type=int, default=5000, help="heartbeats in the comparison")
    args = parser.parse_args()

    organization = ensure_fleet(args.terminals)
    specialist, _ = Specialist.objects.get_or_create(
        organization=organization, email="bench@bench.example", defaults={"name": "Bench"}
    )
    token = token_create(
        organization=organization,
        specialist=specialist,
        description="bench",
        expires_at=timezone.now() + timedelta(hours=2),
    )

    rng = random.Random(42)
    slice_ids = [_identifier(rng.randint(1, args.terminals)) for _ in range(args.slice)]
    baseline_rate = per_row_baseline(organization, slice_ids)
    set_rate = set_based(organization, slice_ids, args.batch)
    log(f"in-process slice: per-row {baseline_rate:,.0f}/s, set-based {set_rate:,.0f}/s")
    connection.close()

    port = _free_port()
    server = start_server(port, args.workers)
    try:
        started = time.perf_counter()
        sent, latencies, errors = run_clients(
            port=port,
            token=token.secret,
            terminals=args.terminals,
            batch=args.batch,
            clients=args.clients,
            duration=args.duration,
        )
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        token.token.delete()

    p95 = (
        statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else max(latencies or [0])
    )
    print(
        json.dumps(
            {
                "heartbeats_per_s": round(sent / elapsed),
                "p95_batch_ms": round(p95 * 1000, 1),
                "errors": errors,
                "batches": len(latencies),
                "duration_s": round(elapsed, 1),
                "clients": args.clients,
                "terminals": args.terminals,
                "slice_heartbeats": args.slice,
                "slice_per_row_update_per_s": round(baseline_rate),
                "slice_set_based_per_s": round(set_rate),
                "slice_speedup": round(set_rate / baseline_rate, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
