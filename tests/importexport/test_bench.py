"""The import and export benchmarks run at smoke size, through their real worker: a
benchmark that stops working fails the suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings


def _bench(module: str, *args: str) -> dict:
    # A bench database beside the suite's own, so that runs in parallel do not meet.
    database = urlsplit(os.environ["DATABASE_URL"])
    bench_url = urlunsplit(database._replace(path=f"{database.path}_bench"))
    env = {**os.environ, "BENCH_DATABASE_URL": bench_url}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
def test_the_export_bench_runs_a_job_in_a_worker():
    result = _bench("bench.exporter", "--rows", "300", "--baseline-rows", "300")
    assert result["rows"] == 300 and result["files"] == 1
    assert set(result["targets"]) == {"rows_per_s_ge_20000", "peak_rss_le_300_mb"}


@pytest.mark.slow
def test_the_import_bench_runs_jobs_in_a_worker():
    result = _bench("bench.importer", "--rows", "300", "--baseline-rows", "100")
    assert result["rows"] == 300 and result["peak_rss_mb"] > 0
    assert "create_vs_database_only_ge_0.8" in result["targets"]
