"""The real processes tests start as production does: `manage.py` commands and Celery workers
with the prefork pool (as `make run` and compose start them), on the environment of the
PostgreSQL + Redis setup or of the embedded defaults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings


def wait_until(predicate: Callable[[], bool], timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run`: no DATABASE_URL, REDIS_URL nor EMAIL_URL, so SQLite,
    the kombu file-system broker and e-mail as files, all under `var_dir`."""
    unset = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, "VIGIA_VAR_DIR": str(var_dir), "JOB_FILES_DIR": str(var_dir / "jobs"), **extra}


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


class Worker:
    """A Celery worker process (prefork pool, one child) until stop() or the block's end; in a
    session of its own, so kill() takes its pool children with it."""

    def __init__(self, env: dict[str, str], log: Path):
        env = {**env}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.log = log
        self.log_file = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],  # fmt: skip
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log_file.close()
