"""What /healthz reports: each dependency the alerts need, probed cheaply (one trivial query,
one broker connection, one cache read, one indexed look at the outbox), with no address,
name or error text in the answer."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone

HEARTBEAT_KEY = "vigia:worker-heartbeat"
# The outbox backlog is counted up to here: past it the number says "a lot" and the count
# stays cheap.
OUTBOX_COUNT_LIMIT = 10_000


def worker_heartbeat_record() -> None:
    """Called by a periodic task: beat sent it and a worker ran it, so both are alive and the
    queue moves."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 3600)


def worker_heartbeat_max_age() -> float:
    # Three missed beats are an outage, one late beat is not.
    return 4 * settings.WORKER_HEARTBEAT_SECONDS


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def _broker() -> bool:
    from config.celery import app as celery_app

    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def _heartbeat_age() -> tuple[bool, float | None]:
    """(cache reachable, seconds since the last worker heartbeat or None)."""
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001
        return False, None
    return True, None if beat is None else max(0.0, time.time() - beat)


def _outbox() -> dict | None:
    from terminals.models import AlertEmail

    unsent = AlertEmail.objects.filter(
        status__in=[AlertEmail.Status.PENDING, AlertEmail.Status.SENDING]
    )
    try:
        counted = unsent.order_by()[:OUTBOX_COUNT_LIMIT].aggregate(
            unsent=Count("id"), retrying=Count("id", filter=Q(attempts__gt=0))
        )
        oldest = unsent.aggregate(oldest=Min("created_at"))["oldest"]
    except Exception:  # noqa: BLE001
        return None
    age = None if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())
    return {**counted, "oldest_age": None if age is None else round(age)}


def health_report() -> tuple[bool, dict]:
    """(healthy, answer). A check is true, false (down) or null (unknown because what it
    reads from is down); healthy only when every check is true."""
    database = _database()
    cache_up, heartbeat_age = _heartbeat_age()
    outbox = _outbox() if database else None
    worker = outbox_ok = None
    if cache_up:
        worker = heartbeat_age is not None and heartbeat_age <= worker_heartbeat_max_age()
    if outbox is not None:
        # An alert not out after this long is an outage of its own (SMTP refusing, say),
        # whatever the other checks say.
        oldest = outbox["oldest_age"]
        outbox_ok = oldest is None or oldest <= settings.ALERT_OUTBOX_MAX_AGE_SECONDS
    checks = {
        "database": database,
        "broker": _broker(),
        "cache": cache_up,
        "worker": worker,
        "outbox": outbox_ok,
    }
    healthy = all(value is True for value in checks.values())
    return healthy, {
        "status": "ok" if healthy else "unavailable",
        "down": [name for name, value in checks.items() if value is False],
        "checks": checks,
        "worker_heartbeat_age": None if heartbeat_age is None else round(heartbeat_age),
        "outbox": outbox,
    }
