"""Client import at scale, as the worker runs it: `python -m bench.importer --rows 100000`.

Starts a real Celery worker (prefork pool, one process, as production runs it) on the bench
database and the broker of REDIS_URL (the embedded file-system broker without it). Writes a
.xlsx of new clients (0.1% of the rows invalid, so the failed-rows report is part of the
run), schedules its import through the job service as the screen does and times it from the
task's enqueueing to the job's end (read, validation, writes, error report, in the worker);
then a second file with the same keys and every "Razão social" changed (all rows updated),
then the second file again (all rows unchanged). Peak RSS is the sum of the peaks of the
worker's processes, its pool process and any child included (/proc VmHWM).

Baselines, in the same run: django-import-export's ModelResource (the admin's
ClientResource) importing the first --baseline-rows rows of the same file into a fresh
organization; and the created rows stored again by COPY alone
(`database_only_rows_per_s`): what PostgreSQL itself costs on this machine, with the same
indexes and constraints, with no validation in Python. Targets: creates at ≥ 80% of
database_only_rows_per_s, ≥ 10× the admin's resource, ≤ 400 MB.

Runs against a database of its own: BENCH_DATABASE_URL, else the server of DATABASE_URL with
the database `vigia_bench_io` (created and migrated when missing). Prints one JSON object
on the last line."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "vigia_bench_io"
ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Points Django at the bench database, creating and migrating it when needed."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigia"))
        url = urlunsplit(base._replace(path=f"/{BENCH_DATABASE}"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def worker_running(job_files: Path, log: Path) -> Iterator[subprocess.Popen]:
    """A Celery worker as production starts it (prefork pool, one pool process), on the
    bench database and this environment's broker, writing job files to `job_files`."""
    env = {**os.environ, "JOB_FILES_DIR": str(job_files)}
    with open(log, "w") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
            + ["--concurrency=1", "--loglevel=info", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while "ready." not in log.read_text():
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the worker did not start:\n{log.read_text()}")
                time.sleep(0.1)
            yield worker
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def peak_rss_mb(pid: int) -> float:
    """The sum of the peak resident sizes of `pid` and its descendants (VmHWM): an upper
    bound of what they held together, spikes between two polls included."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name, in parentheses, may hold spaces: fields follow its end.
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, ()))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")),
            0,
        )
    return total_kb / 1024


def job_wait(job, *, timeout: float = 3600):
    """Polls the job row, as the bell does, until the worker is done with it."""
    from notifications.models import Job

    deadline = time.monotonic() + timeout
    while job.status == Job.Status.PENDING:
        if time.monotonic() > deadline:
            raise RuntimeError("the job did not finish")
        time.sleep(0.02)
        job.refresh_from_db()
    if job.status != Job.Status.DONE:
        raise RuntimeError(job.failure_text)
    return job


def bench_org(slug: str):
    """A fresh, empty organization with a project and two client groups."""
    from django.db import connection

    from clients.models import ClientGroup
    from tenancy.models import Organization, Project, User

    organization, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": slug})
    with connection.cursor() as cursor:
        for table, column in (
            ("clients_client_groups", "client_id"),
            ("clients_client_projects", "client_id"),
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN "
                "(SELECT id FROM clients_client WHERE organization_id = %s)",
                [organization.id],
            )
        cursor.execute("DELETE FROM clients_client WHERE organization_id = %s", [organization.id])
    Project.objects.get_or_create(organization=organization, name="Varejo")
    for name in ("Shoppings", "Rua"):
        ClientGroup.objects.get_or_create(organization=organization, name=name)
    user, _ = User.objects.get_or_create(username="bench-io")
    return organization, user


def vacuum() -> None:
    """Clears the dead rows earlier passes left, so that each measure starts from the same
    state instead of racing autovacuum."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("clients_client", "clients_client_groups", "clients_client_projects"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def client_rows(count: int, *, label: str = "", bad_every: int = 0):
    from clients import cnpj

    for n in range(count):
        base = f"{n + 1:08d}0001"
        number = base + cnpj.check_digits(base)
        if bad_every and n % bad_every == bad_every - 1:
            number = number[:-1] + str((int(number[-1]) + 1) % 10)
        yield [
            cnpj.format_cnpj(number),
            f"Comércio São João {n}{label} Ltda",
            f"São João {n}",
            f"conta-{n}",
            f"loja{n}@saojoao.com.br",
            "Cliente desde 2020" if n % 3 == 0 else "",
            "active" if n % 10 else "inactive",
            "Varejo",
            "Shoppings; Rua" if n % 2 else "Rua",
        ]


def write_file(path: Path, rows) -> None:
    from clients.resources import CLIENT_FORMAT
    from importexport.xlsx import build_template

    build_template(CLIENT_FORMAT.columns, title="Clientes").write(path, rows)


def timed_import(organization, user, path: Path) -> tuple[float, dict]:
    """Schedules the import as the screen does (the upload's checks run here, as in the web
    process) and times the worker's part: from the task's enqueueing to the job's end."""
    from django.core.files.uploadedfile import UploadedFile

    from importexport import services

    with path.open("rb") as handle:
        upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
        job = services.import_schedule(
            organization=organization, user=user, entity="clients", upload=upload, language="pt-br"
        )
    started = time.perf_counter()
    job = job_wait(job)
    return time.perf_counter() - started, job.counts


def baseline(organization, path: Path, rows: int) -> float:
    import tablib

    from clients.resources import ClientResource
    from importexport.admin_resources import ORGANIZATION_HEADER

    started = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    del dataset[rows:]
    dataset.append_col([organization.slug] * len(dataset), header=ORGANIZATION_HEADER)
    result = ClientResource().import_data(dataset, dry_run=False, raise_errors=False)
    elapsed = time.perf_counter() - started
    assert result.totals["new"] > 0, result.totals
    return rows / elapsed


def database_only(organization) -> float:
    """Rows per second PostgreSQL alone takes to store the organization's clients with their
    groups and projects, in 7,000-client transactions as the import does: the rows the
    import wrote are copied out as COPY text, deleted and copied back in whole blocks, so
    Python does next to nothing while the database works."""
    from django.db import connection, transaction

    from importexport.importer import CHUNK_ROWS

    def copy_out(cursor, query: str) -> list[bytes]:
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
            return b"".join(bytes(block) for block in copy).splitlines(keepends=True)

    org = int(organization.id)
    owned = f"client_id IN (SELECT id FROM clients_client WHERE organization_id = {org})"
    through = (
        ("clients_client_groups", "clientgroup_id"),
        ("clients_client_projects", "project_id"),
    )
    with connection.cursor() as cursor:
        clients = copy_out(
            cursor, f"SELECT * FROM clients_client WHERE organization_id = {org} ORDER BY id"
        )
        relations = {}
        for table, target in through:
            pairs: dict[bytes, list[bytes]] = {}
            for line in copy_out(cursor, f"SELECT client_id, {target} FROM {table} WHERE {owned}"):
                pairs.setdefault(line.split(b"\t", 1)[0], []).append(line)
            relations[table, target] = pairs
            cursor.execute(f"DELETE FROM {table} WHERE {owned}")
        cursor.execute(f"DELETE FROM clients_client WHERE organization_id = {org}")
    vacuum()
    started = time.perf_counter()
    for start in range(0, len(clients), CHUNK_ROWS):
        chunk = clients[start : start + CHUNK_ROWS]
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy("COPY clients_client FROM STDIN") as copy:
                copy.write(b"".join(chunk))
            for (table, target), pairs in relations.items():
                lines = [line for row in chunk for line in pairs.get(row.split(b"\t", 1)[0], ())]
                with cursor.cursor.copy(f"COPY {table} (client_id, {target}) FROM STDIN") as copy:
                    copy.write(b"".join(lines))
    return len(clients) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    organization, user = bench_org("bench-io")
    with tempfile.TemporaryDirectory() as folder:
        settings.JOB_FILES_DIR = Path(folder) / "jobs"
        first, second = Path(folder) / "create.xlsx", Path(folder) / "update.xlsx"
        write_file(first, client_rows(args.rows, bad_every=1000))
        write_file(second, client_rows(args.rows, label=" (atualizado)", bad_every=1000))
        vacuum()
        with worker_running(settings.JOB_FILES_DIR, Path(folder) / "worker.log") as worker:
            create_s, created = timed_import(organization, user, first)
            update_s, updated = timed_import(organization, user, second)
            unchanged_s, unchanged = timed_import(organization, user, second)
            peak = peak_rss_mb(worker.pid)
        database_rate = database_only(organization)
        other, _ = bench_org("bench-io-baseline")
        baseline_rate = baseline(other, first, min(args.baseline_rows, args.rows))
    assert created["created"] + created["failed"] == args.rows, created
    assert updated["updated"] == created["created"], updated
    assert unchanged["unchanged"] == created["created"], unchanged
    create_rate = args.rows / create_s
    targets = {
        "create_vs_database_only_ge_0.8": create_rate >= 0.8 * database_rate,
        "speedup_ge_10": create_rate >= 10 * baseline_rate,
        "peak_rss_le_400_mb": peak <= 400,
    }
    print(
        f"created {created}, updated {updated}, unchanged {unchanged}; "
        f"baseline on the first {min(args.baseline_rows, args.rows)} rows",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "create_rows_per_s": round(create_rate),
                "update_rows_per_s": round(args.rows / update_s),
                "unchanged_rows_per_s": round(args.rows / unchanged_s),
                "database_only_rows_per_s": round(database_rate),
                "create_vs_database_only": round(create_rate / database_rate, 2),
                "peak_rss_mb": round(peak),
                "baseline_rows_per_s": round(baseline_rate),
                "baseline_rows": min(args.baseline_rows, args.rows),
                "speedup": round(create_rate / baseline_rate, 1),
                "targets": targets,
                "pass": all(targets.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
