"""The real services, in instances of their own: a PostgreSQL (initdb into a temporary
folder, on a free port) and a redis-server that these tests stop, kill and restart, since the
machine's servers are shared with other test runs. Workers, beat and the web server run as
production runs them, as processes on the environment `stack_env` builds, and an SMTP server
(aiosmtpd) runs in this process. Beat's periods, the leases and the retry delays are seconds
here; the production schedule they compress is tested on its own."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from tests.processes import manage, wait_until
from tests.terminals.conftest import Mailbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
    return str(Path(bindir.stdout.strip()) / name)


class Postgres:
    """A PostgreSQL server of this test run's own. initdb refuses root: as root, the server
    runs as the postgres account."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="vigia-faults-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")
        self.start()

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            [*self.as_user, *command], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        # Durability is not what these tests are about: no fsync keeps them fast.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """As a crash or a failover would: every connection is cut at once."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def sql(self, database: str, statement: str, *params) -> list[tuple]:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement, params or None)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        with suppress(AssertionError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    """A redis-server that keeps nothing on disk, as a restarted cache-only Redis loses its
    queues: killing it loses every message it held."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="vigia-faults-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, timeout=20), "redis-server did not start"

    def _answers(self) -> bool:
        with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = Postgres()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    server = Redis()
    yield server
    server.close()


@pytest.fixture(scope="session")
def migrated(postgres) -> str:
    """A migrated database every test copies (CREATE DATABASE … TEMPLATE) in a blink."""
    postgres.sql("postgres", "CREATE DATABASE vigia_template")
    env = {**os.environ, "DATABASE_URL": postgres.url("vigia_template")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage(env, "migrate", "--noinput", "-v", "0")
    return "vigia_template"


@dataclass
class FaultMailbox(Mailbox):
    """The alert tests' mailbox, and one more way to misbehave: `holding` keeps every
    conversation at DATA until it is set, then accepts the message (a slow server)."""

    holding: threading.Event | None = None
    held: int = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.holding is not None:
            self.held += 1
            await asyncio.get_running_loop().run_in_executor(None, self.holding.wait, 60)
        return await super().handle_DATA(server, session, envelope)

    def clear(self) -> None:
        super().clear()
        self.holding, self.held = None, 0


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, FaultMailbox]]:
    mailbox = FaultMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, mailbox
    controller.stop()


class Stack:
    """One test's database, environment and processes."""

    def __init__(self, postgres: Postgres, redis: Redis, database: str, env: dict, folder: Path):
        self.postgres, self.redis, self.database, self.env, self.folder = (
            postgres, redis, database, env, folder,
        )  # fmt: skip
        self.processes: list = []

    def sql(self, statement: str, *params) -> list[tuple]:
        return self.postgres.sql(self.database, statement, *params)

    def value(self, statement: str, *params):
        return self.sql(statement, *params)[0][0]

    def shell(self, script: str) -> str:
        return manage(self.env, "shell", "-c", script)

    def started(self, process):
        self.processes.append(process)
        return process


class Service:
    """A long-running manage.py-like process (beat, gunicorn) in a session of its own."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, ready: str):
        self.log = log
        self.log_file = log.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_until(lambda: ready in log.read_text() or self.process.poll() is not None):
            self.stop()
            raise RuntimeError(f"{command} did not start:\n{log.read_text()}")
        if self.process.poll() is not None:
            raise RuntimeError(f"{command} exited:\n{log.read_text()}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log_file.close()


def beat(stack: Stack) -> Service:
    return stack.started(
        Service(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                f"--schedule={stack.folder / 'celerybeat-schedule'}",
            ],  # fmt: skip
            stack.env,
            stack.folder / "beat.log",
            ready="beat: Starting",
        )
    )


def web(stack: Stack) -> str:
    """gunicorn as compose starts it; returns its /healthz address."""
    port = free_port()
    stack.started(
        Service(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ],  # fmt: skip
            stack.env,
            stack.folder / "web.log",
            ready="Booting worker",
        )
    )
    url = f"http://127.0.0.1:{port}/healthz"
    assert wait_until(lambda: healthz(url)[0] in (200, 503), timeout=30)
    return url


def healthz(url: str) -> tuple[int, dict]:
    import json

    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - http only
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
    except OSError:
        return 0, {}


@pytest.fixture
def stack(postgres, redis_server, migrated, smtp, tmp_path, request) -> Iterator[Stack]:
    """A fresh copy of the migrated database, an empty Redis, the mailbox emptied, and the
    environment the test's processes run on (periods and leases in seconds)."""
    smtp_port, mailbox = smtp
    mailbox.clear()
    database = f"faults_{request.node.name[:40].lower()}".replace("[", "_").replace("]", "_")
    postgres.sql("postgres", f'DROP DATABASE IF EXISTS "{database}"')
    postgres.sql("postgres", f'CREATE DATABASE "{database}" TEMPLATE {migrated}')
    if redis_server.process is None or redis_server.process.poll() is not None:
        redis_server.start()
    redis_client = __import__("redis").Redis.from_url(redis_server.url)
    redis_client.flushall()
    redis_client.close()
    (tmp_path / "var").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=postgres.url(database),
        REDIS_URL=redis_server.url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        VIGIA_VAR_DIR=str(tmp_path / "var"),
        JOB_FILES_DIR=str(tmp_path / "var" / "jobs"),
        SWEEP_INTERVAL_SECONDS="1",
        WORKER_HEARTBEAT_SECONDS="1",
        JOB_RESUME_INTERVAL_SECONDS="1",
        JOB_LEASE_SECONDS="3",
        ALERT_EMAIL_RETRY_BASE_SECONDS="1",
        ALERT_EMAIL_LEASE_SECONDS="5",
        # Connections kept across requests: the web server must notice a dead one itself.
        CONN_MAX_AGE="60",
    )
    result = Stack(postgres, redis_server, database, env, tmp_path)
    yield result
    # Killed, not stopped: a warm shutdown waits for the tasks under way, and nothing here
    # needs them finished.
    for process in reversed(result.processes):
        process.kill()
        process.stop()
    for event in (mailbox.hanging, mailbox.holding):
        if event is not None:
            event.set()
