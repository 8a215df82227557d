"""Faults survived with the real services: workers killed mid-chunk and mid-send, Redis and
PostgreSQL restarted, the SMTP server refusing. Nothing is lost, nothing is sent twice, jobs
end done with the right counts, and /healthz names what is down while it is down."""

from __future__ import annotations

import os
import signal
import threading
from contextlib import suppress
from pathlib import Path

import psycopg
import pytest

from importexport.importer import CHUNK_ROWS
from tests.faults.conftest import Stack, beat, healthz, web
from tests.faults.scripts import IMPORT, STALE_TERMINALS
from tests.processes import Worker, wait_until

pytestmark = pytest.mark.slow

# Three chunks: 7,000 + 7,000 + 1,000.
ROWS = 2 * CHUNK_ROWS + 1000
DONE_COUNTS = {"created": ROWS, "updated": 0, "unchanged": 0, "failed": 0}


def _worker(stack: Stack, name: str = "worker") -> Worker:
    return stack.started(Worker(stack.env, stack.folder / f"{name}.log"))


def _schedule_import(stack: Stack) -> int:
    return int(stack.shell(IMPORT % {"rows": ROWS}).split()[-1])


def _job(stack: Stack, job_id: int) -> dict:
    status, chunks_done, counts = stack.sql(
        "SELECT status, chunks_done, counts FROM notifications_job WHERE id = %s", job_id
    )[0]
    return {"status": status, "chunks_done": chunks_done, "counts": counts}


def _imported(stack: Stack) -> int:
    return stack.value(
        "SELECT count(*) FROM terminals_terminal t JOIN tenancy_organization o "
        "ON o.id = t.organization_id WHERE o.slug = 'importadora'"
    )


def _job_done(stack: Stack, job_id: int, timeout: float = 60) -> dict:
    assert wait_until(lambda: _job(stack, job_id)["status"] != "pending", timeout)
    return _job(stack, job_id)


def _emails(stack: Stack) -> dict[str, int]:
    return dict(stack.sql("SELECT status, count(*) FROM terminals_alertemail GROUP BY status"))


def _all_sent(stack: Stack, count: int) -> bool:
    return _emails(stack) == {"sent": count}


def _assert_each_once(mailbox, recipients: int) -> None:
    # A late duplicate would arrive after the rows are marked: give it time to show.
    messages = mailbox.wait_for(recipients + 1, timeout=3)
    assert len(messages) == recipients
    assert len({str(m["To"]) for m in messages}) == recipients
    assert len({m["Message-ID"] for m in messages}) == recipients


def _chunk_transaction_open(stack: Stack) -> bool:
    # The import's COPY, inside its chunk's transaction: writing rows it has not committed
    # yet, or waiting for the terminals table (see _terminals_held).
    return bool(
        stack.value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND (backend_xid IS NOT NULL OR wait_event_type = 'Lock') "
            "AND query ILIKE 'COPY%%' AND pid <> pg_backend_pid()",
            stack.database,
        )
    )


def _terminals_held(stack: Stack) -> psycopg.Connection:
    """A session holding the terminals table, so that a chunk writing into it waits inside
    its transaction: on a fast machine a chunk's transaction is otherwise over before the
    test can see it. The session dies with the server."""
    conn = psycopg.connect(stack.postgres.url(stack.database))
    conn.execute("LOCK TABLE terminals_terminal IN SHARE MODE")
    return conn


def _pool_child(worker: Worker) -> int:
    children = Path(f"/proc/{worker.process.pid}/task/{worker.process.pid}/children")
    (child,) = children.read_text().split()
    return int(child)


def test_a_worker_killed_mid_import_chunk_resumes_and_applies_each_row_once(stack):
    first = _worker(stack, "first")
    beat(stack)
    job_id = _schedule_import(stack)

    assert wait_until(
        lambda: _job(stack, job_id)["chunks_done"] >= 1 and _chunk_transaction_open(stack),
        timeout=60,
        interval=0.02,
    )
    first.kill()
    # The chunk under way was rolled back whole; the ones before it stay applied.
    applied = _job(stack, job_id)["chunks_done"]
    assert applied < 3
    assert _imported(stack) == applied * CHUNK_ROWS

    # Its message died with the worker; beat's resume hands the job to the next worker once
    # the dead run's lease has run out, and the run goes on from the chunks applied.
    _worker(stack, "second")
    job = _job_done(stack, job_id)
    assert job == {"status": "done", "chunks_done": 3, "counts": DONE_COUNTS}
    assert _imported(stack) == ROWS


def test_a_worker_killed_mid_email_send_sends_it_later_and_once(stack, smtp):
    _, mailbox = smtp
    mailbox.hanging = threading.Event()
    worker = _worker(stack)
    beat(stack)
    stack.shell(STALE_TERMINALS % {"terminals": 2, "contacts": 2})
    assert wait_until(lambda: _emails(stack).get("sending"), timeout=30)

    # The pool process dies in the SMTP conversation (the OOM killer, say): its parent puts
    # the message back, the rows stay claimed until their lease runs out, then the sweep
    # hands them out again.
    os.kill(_pool_child(worker), signal.SIGKILL)
    hung, mailbox.hanging = mailbox.hanging, None
    hung.set()

    assert wait_until(lambda: _all_sent(stack, 4), timeout=60)
    _assert_each_once(mailbox, 4)


def test_redis_restarted_with_jobs_and_alerts_in_flight_loses_nothing(stack, smtp):
    _, mailbox = smtp
    stack.env["ALERT_OUTBOX_MAX_AGE_SECONDS"] = "4"
    url = web(stack)
    beat(stack)
    # The worker is held in an SMTP conversation while a job waits in the queue behind it,
    # and the other e-mails wait to be retried.
    mailbox.hanging = threading.Event()
    _worker(stack)
    stack.shell(STALE_TERMINALS % {"terminals": 2, "contacts": 2})
    assert wait_until(lambda: _emails(stack).get("sending"), timeout=30)
    job_id = _schedule_import(stack)

    stack.redis.kill()
    status, answer = healthz(url)
    assert status == 503
    # (The outbox may be reported late already: its e-mails have waited a while.)
    assert {"broker", "cache"} <= set(answer["down"]) <= {"broker", "cache", "outbox"}
    assert answer["checks"]["database"] is True and answer["checks"]["worker"] is None
    stack.redis.start()

    # Back, empty: the job's message and the e-mails' retries are gone. The SMTP server
    # refuses for a while longer, as a server in trouble does.
    mailbox.refusing = True
    hung, mailbox.hanging = mailbox.hanging, None
    hung.set()
    assert wait_until(lambda: mailbox.refused >= 4, timeout=60)
    assert wait_until(lambda: "outbox" in healthz(url)[1]["down"], timeout=30)
    assert _emails(stack).get("sent") is None
    mailbox.refusing = False

    job = _job_done(stack, job_id)
    assert job == {"status": "done", "chunks_done": 3, "counts": DONE_COUNTS}
    assert wait_until(lambda: _all_sent(stack, 4), timeout=60)
    _assert_each_once(mailbox, 4)
    assert wait_until(lambda: healthz(url)[0] == 200, timeout=30), healthz(url)


def test_postgresql_restarted_mid_import_and_mid_send_loses_nothing(stack, smtp):
    _, mailbox = smtp
    # The lease outlasts the held SMTP conversation, as the production one outlasts any.
    stack.env["ALERT_EMAIL_LEASE_SECONDS"] = "60"
    url = web(stack)
    beat(stack)
    _worker(stack, "sender")
    _worker(stack, "importer")
    assert wait_until(lambda: healthz(url)[0] == 200, timeout=30), healthz(url)
    # One worker is held in an SMTP conversation, the other imports.
    mailbox.holding = threading.Event()
    stack.shell(STALE_TERMINALS % {"terminals": 3, "contacts": 2})
    assert wait_until(lambda: _emails(stack).get("sending"), timeout=30)
    held = _terminals_held(stack)
    # "sending" is claimed before the message is built: wait for it to reach the server.
    assert wait_until(lambda: mailbox.held >= 1, timeout=30)
    job_id = _schedule_import(stack)
    assert wait_until(lambda: _chunk_transaction_open(stack), timeout=60, interval=0.02)

    stack.postgres.stop()
    with suppress(psycopg.Error):
        held.close()
    status, answer = healthz(url)
    assert status == 503
    assert answer["down"] == ["database"]
    assert answer["checks"]["broker"] is True and answer["checks"]["outbox"] is None
    # The server accepts the e-mail while the database is away: its mark waits for it.
    held, mailbox.holding = mailbox.holding, None
    held.set()
    assert mailbox.wait_for(1, timeout=30)
    stack.postgres.start()

    # The web server's kept connection died with the server: it reconnects by itself.
    assert wait_until(lambda: healthz(url)[0] == 200, timeout=60), healthz(url)
    job = _job_done(stack, job_id)
    assert job == {"status": "done", "chunks_done": 3, "counts": DONE_COUNTS}
    assert _imported(stack) == ROWS
    assert wait_until(lambda: _all_sent(stack, 6), timeout=60)
    _assert_each_once(mailbox, 6)
