"""Jobs outlive their workers and the broker: the job row is the source of truth, and what
a lost broker message or a killed worker leaves behind is handed to a worker again.

A run holds a lease in the cache while it works, renewed by a thread for as long as its
process lives. A periodic task (`jobs_resume_stalled`) re-enqueues every pending job that
no run holds. Two runs of one job are harmless (each import chunk is applied once: the job
row's chunk count is a compare-and-set), so the lease only keeps a redelivered message from
doing the work twice; and a job whose runs keep dying (a file that kills its worker) is
marked failed instead of taking the workers down forever."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache, close_caches
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications.models import Job
from notifications.services import job_fail

logger = logging.getLogger(__name__)

LEASE_KEY = "vigia:job-lease:{}"
# Set while a run is under way, removed when it ends however it ends, short of its process
# dying: a run that finds it already set follows one that died.
STARTED_KEY = "vigia:job-started:{}"
DIED_KEY = "vigia:job-died:{}"
RESUMED_KEY = "vigia:job-resumed:{}"
MEMORY = 7 * 24 * 3600
RESUME_BATCH = 500
FAILED_UNEXPECTEDLY = [(gettext_noop("The job failed unexpectedly; try again."), {})]


@dataclass
class Run:
    """A run that holds its job; `died_before` counts the runs of the job that died. The
    cache keys name the job by its code, which no other job ever takes."""

    code: str
    died_before: int


def _lease_renewer(key: str, token: str, stop: threading.Event) -> None:
    ttl = settings.JOB_LEASE_SECONDS
    try:
        while not stop.wait(ttl / 4):
            # A cache that is down now may be back at the next renewal.
            with suppress(Exception):
                cache.set(key, token, timeout=ttl)
    finally:
        close_caches()


def _died_before(code: str) -> int:
    started, died = STARTED_KEY.format(code), DIED_KEY.format(code)
    if cache.add(started, 1, timeout=MEMORY):
        return cache.get(died, 0)
    cache.add(died, 0, timeout=MEMORY)
    return cache.incr(died)


@contextmanager
def job_run(job_id: int) -> Iterator[Run | None]:
    """Holds the job for this run (None: another run holds it, or there is no such job,
    and this run must leave it alone) and renews the hold until the block ends."""
    code = Job.objects.filter(pk=job_id).values_list("code", flat=True).first()
    if code is None:
        yield None
        return
    code = str(code)
    key, token, leased = LEASE_KEY.format(code), uuid4().hex, True
    try:
        taken = cache.add(key, token, timeout=settings.JOB_LEASE_SECONDS)
        run = Run(code=code, died_before=_died_before(code)) if taken else None
    except Exception:  # noqa: BLE001 - the cache is down
        # Without the cache there is no telling whether another run holds the job: run,
        # since two runs apply each chunk once.
        logger.warning("the cache is unreachable; job %s runs without its lease", job_id)
        run, leased = Run(code=code, died_before=0), False
    if run is None or not leased:
        yield run
        return
    stop = threading.Event()
    renewer = threading.Thread(target=_lease_renewer, args=(key, token, stop), daemon=True)
    renewer.start()
    try:
        yield run
    finally:
        stop.set()
        renewer.join()
        with suppress(Exception):
            cache.delete(STARTED_KEY.format(code))
            if cache.get(key) == token:
                cache.delete(key)


def jobs_resume_stalled(*, now: datetime | None = None) -> list[int]:
    """Re-enqueues the pending jobs no run holds, older than a lease (their message was
    lost with the broker's data, or their worker died); each at most once a lease period,
    so a job still waiting its turn in the queue is not enqueued over and over. Returns
    their ids."""
    from importexport.tasks import export_run_task, import_run_task

    now = now or timezone.now()
    ttl = settings.JOB_LEASE_SECONDS
    stalled = list(
        Job.objects.filter(status=Job.Status.PENDING, created_at__lte=now - timedelta(seconds=ttl))
        .order_by("id")
        .values_list("id", "code", "organization_id", "kind")[:RESUME_BATCH]
    )
    if not stalled:
        return []
    held = cache.get_many([LEASE_KEY.format(code) for _, code, _, _ in stalled])
    resumed = []
    for job_id, code, organization_id, kind in stalled:
        if LEASE_KEY.format(code) in held or not cache.add(
            RESUMED_KEY.format(code), 1, timeout=ttl
        ):
            continue
        task = import_run_task if kind == Job.Kind.IMPORT else export_run_task
        task.delay(job_id, organization_id)
        resumed.append(job_id)
    if resumed:
        logger.warning("resumed stalled jobs %s", resumed)
    return resumed


def job_hold_for_retry(run: Run, seconds: float) -> None:
    """Keeps the resume task off a job whose retry is due in `seconds`: the retry's message
    runs it (and should that message be lost, the job is resumed a lease period later)."""
    with suppress(Exception):
        cache.set(RESUMED_KEY.format(run.code), 1, timeout=seconds + settings.JOB_LEASE_SECONDS)


def job_give_up(job_id: int) -> None:
    """Fails a job whose runs keep dying."""
    logger.error(
        "job %s: its runs died %s times; it is marked failed", job_id, settings.JOB_MAX_RESUMES
    )
    job_fail(job_id=job_id, reason=FAILED_UNEXPECTEDLY)
