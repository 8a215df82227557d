"""Every benchmark still runs: each module at smoke size, as `python -m bench.<name>` would
run it, on a database of its own. A benchmark that stops working fails `make test`; the
full-size runs (README) are not part of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

SMOKE = {
    "search": ["--rows", "300", "--repeat", "1"],
    "heartbeats": ["--terminals", "300", "--duration", "2", "--slice", "100", "--batch", "50"],
    "sweep": ["--terminals", "300", "--baseline-slice", "20", "--repeat", "1"],
    "importer": ["--rows", "300", "--baseline-rows", "100"],
    "exporter": ["--rows", "300", "--baseline-rows", "100"],
    "api_auth": ["--calls", "50"],
    "contacts_search": ["--rows", "300", "--repeat", "1"],
    "association": ["--rows", "300", "--baseline-rows", "50"],
    "hostile_uploads": ["--baseline-rows", "100", "--empty-mb", "2", "--budget-rows", "1000"],
    "load.run": [
        *("--clients", "300", "--duration", "5", "--users", "4", "--workers", "1"),
        *("--floor-users", "2", "--floor-duration", "3"),
    ],
    "availability": [
        "--terminals",
        "300",
        "--episodes-per-terminal",
        "3",
        "--baseline-sample",
        "20",
        "--repeat",
        "1",
    ],
}


# What a smoke run must say beyond "it ran": the import and export benches judge their targets.
CHECKS = {
    "hostile_uploads": lambda result: all(result["targets"].values()),
    "exporter": lambda result: (
        result["rows"] == 300
        and result["files"] == 1
        and set(result["targets"]) == {"rows_per_s_ge_20000", "peak_rss_le_300_mb"}
    ),
    "association": lambda result: (
        result["rows"] == 300
        and result["baseline_per_row_us"] > 0
        and set(result["targets"]) == {"associate_under_2_s", "disassociate_under_2_s"}
    ),
    "availability": lambda result: (
        result["terminals"] == 300 and result["episodes"] == 900 and result["sql_matches_python"]
    ),
    "load.run": lambda result: (
        result["clients"] == 300
        and result["requests"] > 0
        and result["errors"] == 0
        and result["baseline"]["requests"] > 0
        and result["floor"]["requests"] > 0
        and result["floor"]["errors"] == 0
    ),
    "importer": lambda result: (
        result["rows"] == 300
        and result["peak_rss_mb"] > 0
        and "create_vs_database_only_ge_0.8" in result["targets"]
    ),
}


def test_every_bench_module_has_a_smoke_run():
    bench = Path(settings.BASE_DIR, "bench")
    modules = {path.stem for path in bench.glob("*.py")}
    # A bench with files of its own (bench/load/) runs as its package's `run` module.
    modules |= {f"{path.parent.name}.run" for path in bench.glob("*/run.py")}
    assert modules - {"__init__"} == set(SMOKE)


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_the_bench_runs_at_smoke_size(name, tmp_path):
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigia"))
    database = urlunsplit(server._replace(path=f"/vigia_bench_smoke_{name}"))
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "BENCH_DATABASE_URL": database,
        "JOB_FILES_DIR": str(tmp_path / "jobs"),
        "VIGIA_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    _ensure_database(server, f"vigia_bench_smoke_{name}")
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *SMOKE[name]],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict) and result
    assert CHECKS.get(name, bool)(result), result


def _ensure_database(server, name: str) -> None:
    import psycopg

    admin = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
