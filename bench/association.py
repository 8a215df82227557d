"""Bulk association at scale: `python -m bench.association --rows 100000`.

Loads `--rows` clients into one organization (plus a smaller second one) of a database of its
own (BENCH_DATABASE_URL, else the server of DATABASE_URL with the database
`vigia_bench_association`, created and migrated when missing), then times association mode as
the Clientes screen runs it: every client the (empty) search matches outside the project
associated with it in one action, and then disassociated in one action, each once through
the service (tenancy.association) and once as the operator's confirmed POST through the
list's view. The baseline is the per-row path, the ORM's `client.projects.add(project)` one
client at a time, timed on `--baseline-rows` clients in the same run and extrapolated per
row. Prints one JSON object on the last line. A second run with the same --rows reuses the
clients.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "vigia_bench_association"
BENCH_ORG = "bench-association"
OTHER_ORG = "bench-association-other"
TARGET_S = 2.0


def _database_url() -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigia"))
    if not server.scheme.startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL or BENCH_DATABASE_URL.")
    return urlunsplit(server._replace(path=f"/{BENCH_DATABASE}"))


def _load(organization, rows: int, seed: int) -> None:
    """`rows` clients in `organization`, written through the clients' row rule (the search
    bench's generator) with COPY."""
    from django.db import connection, transaction

    from bench.search import COLUMNS, generate

    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY clients_client ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in generate(rows, seed=seed, organization_id=organization.pk):
                copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE clients_client")


def _timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    args = parser.parse_args()

    url = _database_url()
    from bench.search import _ensure_database

    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.urls import reverse

    from clients.models import Client
    from clients.selectors import client_search
    from tenancy.association import association_add, association_remove
    from tenancy.models import Membership, Organization, Project, User
    from tenancy.selectors import PROJECT_SESSION_KEY

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(slug=BENCH_ORG, defaults={"name": "Bench"})
    other, _ = Organization.objects.get_or_create(slug=OTHER_ORG, defaults={"name": "Other"})
    project, _ = Project.objects.get_or_create(organization=organization, name="Destino")
    baseline_project, _ = Project.objects.get_or_create(organization=organization, name="Base")
    through = Client.projects.through
    table = through._meta.db_table
    clients = Client.objects.for_org(organization)
    with connection.cursor() as cursor:
        if clients.count() != args.rows:
            # The bench's own database: nothing else lives in it.
            cursor.execute("TRUNCATE clients_client CASCADE")
            _load(organization, args.rows, seed=2026)
            _load(other, max(1, args.rows // 20), seed=7)
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table name
        cursor.execute(f"VACUUM ANALYZE {table}")

    # The screen's path: an operator's session in the project, posting the confirmed action.
    user, _ = User.objects.get_or_create(username="bench-association")
    Membership.objects.get_or_create(organization=organization, user=user)
    http = HttpClient(SERVER_NAME="localhost")
    http.force_login(user)
    session = http.session
    session[PROJECT_SESSION_KEY] = str(project.code)
    session.save()

    def screen(name: str) -> int:
        response = http.post(reverse(name), {"all": "1", "q": "", "confirmed": "1"})
        assert response.status_code == 302, response.status_code
        return through.objects.filter(project=project).count()

    # Every client the empty search matches, as the list's "select all matching" sends it.
    everyone = client_search(organization=organization, query="")
    associate_s, added = _timed(
        lambda: association_add(organization=organization, project=project, rows=everyone)
    )
    disassociate_s, removed = _timed(
        lambda: association_remove(organization=organization, project=project, rows=everyone)
    )
    screen_associate_s, in_project = _timed(lambda: screen("clients:associate"))
    screen_disassociate_s, left = _timed(lambda: screen("clients:disassociate"))
    assert added == removed == in_project == args.rows and left == 0, (added, removed, left)

    sample = list(clients.order_by("pk")[: args.baseline_rows])
    baseline_s, _ = _timed(lambda: [client.projects.add(baseline_project) for client in sample])
    baseline_per_row = baseline_s / len(sample)
    through.objects.filter(project=baseline_project).delete()

    def per_row_us(seconds: float) -> float:
        return round(seconds / args.rows * 1e6, 2)

    result = {
        "rows": args.rows,
        "associate_s": round(associate_s, 3),
        "disassociate_s": round(disassociate_s, 3),
        "screen_associate_s": round(screen_associate_s, 3),
        "screen_disassociate_s": round(screen_disassociate_s, 3),
        "associate_per_row_us": per_row_us(associate_s),
        "disassociate_per_row_us": per_row_us(disassociate_s),
        "baseline": "client.projects.add(project), one client at a time",
        "baseline_rows": len(sample),
        "baseline_per_row_us": round(baseline_per_row * 1e6, 2),
        "baseline_extrapolated_s": round(baseline_per_row * args.rows, 1),
        "speedup_associate": round(baseline_per_row * args.rows / associate_s, 1),
        # These machines are shared: the load says how much of a core the run had.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "targets": {
            f"associate_under_{TARGET_S:g}_s": screen_associate_s < TARGET_S,
            f"disassociate_under_{TARGET_S:g}_s": screen_disassociate_s < TARGET_S,
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
