"""A real SMTP server (aiosmtpd) in this process and real Celery workers (subprocesses
against the test database and this worktree's Redis database) for the alert tests."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.processes import Worker


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received, and switches to make it misbehave."""

    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False
    refused: int = 0
    hanging: threading.Event | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if self.hanging is not None:
            # Holds the SMTP conversation open, as a slow server would, until released.
            await asyncio.get_running_loop().run_in_executor(None, self.hanging.wait, 30)
            return "451 4.3.0 Aborted"
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
        self.refusing, self.refused, self.hanging = False, 0, None

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return list(self.messages)


@pytest.fixture(scope="module")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    _, box = smtp_server
    box.clear()
    yield box
    if box.hanging is not None:
        box.hanging.set()


def _worker_env(smtp_port: int, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        ALERT_EMAIL_RETRY_BASE_SECONDS="1",
        ALERT_EMAIL_MAX_ATTEMPTS="8",
        VIGIA_VAR_DIR=str(settings.VAR_DIR),
        CONN_MAX_AGE="0",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def _redis_queue():
    import redis

    # This worktree's own Redis database: left-over messages of an earlier run would be
    # delivered against ids that no longer exist.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
def start_worker(smtp_server, _redis_queue, tmp_path) -> Callable[..., Worker]:
    controller, _ = smtp_server
    workers: list[Worker] = []

    def start(**extra_env: str) -> Worker:
        worker = Worker(
            _worker_env(controller.port, **extra_env), tmp_path / f"worker{len(workers)}.log"
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
