"""Client export at scale: `python -m bench.exporter --rows 1000000`.

Loads --rows clients (a third of them in a group, all in a project) into one organization of
the bench database (see bench.importer; loaded once and reused by later runs with the same
--rows), then times the "with data" export to the zip of 7,000-row .xlsx files exactly as
the job runs it. The baseline, in the same run, is the same export written by openpyxl's
write-only mode on one core, over the first --baseline-rows rows. Peak RSS is the largest of
the parent and its worker processes. Prints one JSON object on the last line."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from bench.importer import setup_django

ORG = "bench-io-export"


def load_clients(rows: int):
    """`rows` clients in the bench organization, written with COPY; reused when present."""
    from django.db import connection
    from django.utils import timezone

    from clients import cnpj
    from clients.models import Client, ClientGroup
    from clients.search import client_search_text
    from tenancy.models import Organization, Project, User

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
        columns = (
            "organization_id, code, cnpj, razao_social, nome_fantasia, conta, email_wvds, "
            "anotacoes, status, created_at, updated_at, search_text"
        )
        with cursor.cursor.copy(f"COPY clients_client ({columns}) FROM STDIN") as copy:
            for n in range(rows):
                base = f"{n + 1:08d}0001"
                searched = {
                    "cnpj": base + cnpj.check_digits(base),
                    "razao_social": f"Comércio São João {n} Ltda",
                    "nome_fantasia": f"São João {n}",
                    "conta": f"conta-{n}",
                    "email_wvds": f"loja{n}@saojoao.com.br",
                }
                copy.write_row(
                    (
                        organization.id,
                        uuid.uuid4(),
                        *searched.values(),
                        "=cliente antigo" if n % 1000 == 0 else "",
                        "active",
                        now,
                        now,
                        client_search_text(**searched),
                    )
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
        done += FILE_ROWS
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=70_000)
    args = parser.parse_args()
    setup_django()
    from clients.resources import CLIENT_FORMAT
    from importexport.exporter import export_zip

    organization, _user = load_clients(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "export.zip"
        started = time.perf_counter()
        total = export_zip(
            fmt=CLIENT_FORMAT,
            variant="data",
            organization_id=organization.id,
            language="pt-br",
            target=target,
            name="clientes",
        )
        seconds = time.perf_counter() - started
        with zipfile.ZipFile(target) as archive:
            files = len(archive.namelist())
        zip_mb = target.stat().st_size / 1024 / 1024
        peak = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        baseline_rate = baseline(organization, min(args.baseline_rows, args.rows), Path(folder))
    assert total == args.rows, total
    print(f"zip of {zip_mb:.0f} MB; baseline: openpyxl write-only, one process", file=sys.stderr)
    print(
        json.dumps(
            {
                "rows": total,
                "files": files,
                "seconds": round(seconds, 1),
                "rows_per_s": round(total / seconds),
                "peak_rss_mb": round(peak / 1024),
                "baseline_rows_per_s": round(baseline_rate),
                "speedup": round(total / seconds / baseline_rate, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
