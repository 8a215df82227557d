"""Client export at scale, as the worker runs it: `python -m bench.exporter --rows 1000000`.

Loads --rows clients (a third of them in a group, all in a project) into one organization of
the bench database (see bench.importer; loaded once and reused by later runs with the same
--rows) through the clients' row rule, as every writer does. Then starts a real Celery worker
(prefork pool, one process, as production runs it), schedules the "with data" export through
the job service as the screen does, and times it from the task's enqueueing to the job's
end: the zip of 7,000-row .xlsx files, written in the worker. Peak RSS is the sum of the
peaks of the worker's processes, its pool process and any child included (/proc VmHWM).

The baseline, in the same run, is the same export written by openpyxl's write-only mode in
one process, over the first --baseline-rows rows. Targets: ≥ 20,000 rows/s and ≤ 300 MB.
Prints one JSON object on the last line."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from bench.importer import job_wait, peak_rss_mb, setup_django, worker_running

ORG = "bench-io-export"


def load_clients(rows: int):
    """`rows` clients in the bench organization, written with COPY; reused when present."""
    from django.db import connection
    from django.utils import timezone

    from clients import cnpj
    from clients.models import Client, ClientGroup
    from clients.services import EDITABLE_FIELDS, client_prepare
    from tenancy.models import Organization, Project, User

    # The clients' fields the loader writes, after the row rule.
    fields = (*EDITABLE_FIELDS, "search_text")

    organization, _ = Organization.objects.get_or_create(slug=ORG, defaults={"name": ORG})
    user, _ = User.objects.get_or_create(username="bench-io")
    project, _ = Project.objects.get_or_create(organization=organization, name="Varejo")
    group, _ = ClientGroup.objects.get_or_create(organization=organization, name="Shoppings")
    if Client.objects.filter(organization=organization).count() == rows:
        return organization, user
    now = timezone.now()
    with connection.cursor() as cursor:
        for table in ("clients_client_groups", "clients_client_projects"):
            cursor.execute(
                f"DELETE FROM {table} WHERE client_id IN "
                "(SELECT id FROM clients_client WHERE organization_id = %s)",
                [organization.id],
            )
        cursor.execute("DELETE FROM clients_client WHERE organization_id = %s", [organization.id])
        columns = ", ".join(("organization_id", "code", *fields, "created_at", "updated_at"))
        with cursor.cursor.copy(f"COPY clients_client ({columns}) FROM STDIN") as copy:
            for n in range(rows):
                base = f"{n + 1:08d}0001"
                record = client_prepare(
                    {
                        "cnpj": base + cnpj.check_digits(base),
                        "razao_social": f"Comércio São João {n} Ltda",
                        "nome_fantasia": f"São João {n}",
                        "conta": f"conta-{n}",
                        "email_wvds": f"Loja{n}@SaoJoao.com.br",
                        "anotacoes": "=cliente antigo" if n % 1000 == 0 else "",
                        "status": "active",
                    }
                )
                copy.write_row(
                    (organization.id, uuid.uuid4(), *(record[name] for name in fields), now, now)
                )
        cursor.execute(
            "INSERT INTO clients_client_projects (client_id, project_id) "
            "SELECT id, %s FROM clients_client WHERE organization_id = %s",
            [project.id, organization.id],
        )
        cursor.execute(
            "INSERT INTO clients_client_groups (client_id, clientgroup_id) "
            "SELECT id, %s FROM clients_client WHERE organization_id = %s AND id %% 3 = 0",
            [group.id, organization.id],
        )
        cursor.execute("ANALYZE clients_client")
    return organization, user


def baseline(organization, rows: int, folder: Path) -> float:
    """openpyxl write-only, one process, same rows and columns: rows per second."""
    from openpyxl import Workbook

    from clients.resources import CLIENT_FORMAT
    from importexport.exporter import FILE_ROWS, export_rows, file_bounds

    started = time.perf_counter()
    done = 0
    for number, (first, last) in enumerate(file_bounds(CLIENT_FORMAT, organization.id)):
        if done >= rows:
            break
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Dados")
        sheet.append([column.header for column in CLIENT_FORMAT.columns])
        for row in export_rows(CLIENT_FORMAT, CLIENT_FORMAT.columns, organization.id, first, last):
            sheet.append(row)
        workbook.save(folder / f"baseline-{number}.xlsx")
        done += min(FILE_ROWS, last - first + 1)
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=70_000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    from importexport import services
    from notifications.services import job_file_path

    organization, user = load_clients(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        jobs = Path(folder) / "jobs"
        settings.JOB_FILES_DIR = jobs
        with worker_running(jobs, Path(folder) / "worker.log") as worker:
            job = services.export_schedule(
                organization=organization,
                user=user,
                entity="clients",
                variant="data",
                language="pt-br",
            )
            started = time.perf_counter()
            job = job_wait(job)
            seconds = time.perf_counter() - started
            peak = peak_rss_mb(worker.pid)
        target = job_file_path(job.result_path)
        with zipfile.ZipFile(target) as archive:
            files = len(archive.namelist())
        zip_mb = target.stat().st_size / 1024 / 1024
        baseline_rate = baseline(organization, min(args.baseline_rows, args.rows), Path(folder))
    assert job.rows_done == args.rows, job.rows_done
    rate = args.rows / seconds
    targets = {"rows_per_s_ge_20000": rate >= 20_000, "peak_rss_le_300_mb": peak <= 300}
    print(f"zip of {zip_mb:.0f} MB; baseline: openpyxl write-only, one process", file=sys.stderr)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "files": files,
                "seconds": round(seconds, 1),
                "rows_per_s": round(rate),
                "peak_rss_mb": round(peak),
                "baseline_rows_per_s": round(baseline_rate),
                "speedup": round(rate / baseline_rate, 1),
                "targets": targets,
                "pass": all(targets.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
