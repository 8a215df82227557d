"""One alert sweep over a large fleet: 1% of the terminals newly stale.

    DATABASE_URL=postgres://…/vigia_bench_terminals python -m bench.sweep --terminals 1000000

Prints one JSON line: the set-based sweep (seconds, SQL statements) against a baseline that
flips terminals one by one through the ORM on a short slice, plus the idle sweep.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from tenancy.models import Organization  # noqa: E402

FLEET_SLUG = "bench-fleet"
MAX_CLIENTS = 1000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def copy_rows(model, instances) -> None:
    """Writes unsaved model instances with COPY: every concrete column but the id, each
    value as Django would save it, so a column added to the model later (a derived one
    included) needs no change here. The row rules are applied by the caller."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for instance in instances:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
            )


def ensure_fleet(terminals: int) -> Organization:
    """An organization with `terminals` connected terminals ('T0000001'…), every hundredth
    linked to one of up to 1,000 clients that each have an auto-dispatch contact. Rows go
    through the entities' row rules (client_prepare, contact_prepare, terminal_prepare) and
    are written with COPY; the fleet is kept between runs of the same size."""
    from clients import cnpj
    from clients.models import Client
    from clients.services import client_prepare
    from contacts.models import Contact
    from contacts.services import contact_prepare
    from terminals.models import Terminal
    from terminals.services import terminal_prepare

    if connection.vendor != "postgresql":
        raise SystemExit("the benchmarks need PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(
        slug=FLEET_SLUG, defaults={"name": "Bench fleet", "sender_email": "alertas@example.com"}
    )
    fleet = Terminal.objects.filter(organization=organization)
    if fleet.count() == terminals:
        return organization
    log(f"building a fleet of {terminals:,} terminals…")
    started = time.perf_counter()
    clients = min(MAX_CLIENTS, max(1, terminals // 100))
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in ("terminals_alertemail", "terminals_episode", "terminals_terminal"):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])
        Contact.objects.filter(organization=organization).delete()
        Client.objects.filter(organization=organization).delete()
        copy_rows(
            Client,
            (
                Client(
                    organization=organization,
                    **client_prepare(
                        {
                            "cnpj": f"{n:08d}0001" + cnpj.check_digits(f"{n:08d}0001"),
                            "razao_social": f"Cliente {n}",
                            "nome_fantasia": f"Cliente {n}",
                            "email_wvds": f"Conta{n}@Bench.example",
                        }
                    ),
                )
                for n in range(1, clients + 1)
            ),
        )
        accounts = list(
            Client.objects.filter(organization=organization)
            .order_by("id")
            .values_list("id", "email_wvds")
        )
        client_ids = [client_id for client_id, _email in accounts]
        copy_rows(
            Contact,
            (
                Contact(
                    organization=organization,
                    client_id=client_id,
                    **contact_prepare(
                        {
                            "name": f"Contato {client_id}",
                            "email": f"Contato{client_id}@Bench.example",
                            "phone": "",
                            "auto_dispatch": True,
                        }
                    ),
                )
                for client_id in client_ids
            ),
        )
        now = timezone.now()
        copy_rows(
            Terminal,
            (
                Terminal(
                    organization=organization,
                    # A linked terminal shares its client's WVDS account, as the services
                    # and imports require (terminal_link_errors).
                    **terminal_prepare(
                        {
                            "identifier": f"T{i:07d}",
                            "email_wvds": accounts[(i // 100) % clients][1] if i % 100 == 0 else "",
                        }
                    ),
                    name=f"Tela {i}",
                    client_id=client_ids[(i // 100) % clients] if i % 100 == 0 else None,
                    last_heartbeat_at=now,
                    status=Terminal.Status.CONNECTED,
                    alert_after=now + timedelta(hours=1),
                )
                for i in range(1, terminals + 1)
            ),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE terminals_terminal")
    log(f"fleet built in {time.perf_counter() - started:.1f} s")
    return organization


def reset_fleet(organization: Organization, stale_modulo: int = 100, limit: int | None = None):
    """Everything connected with a deadline an hour away, except every `stale_modulo`-th
    terminal (optionally only the first `limit` of those), whose deadline has just passed."""
    with connection.cursor() as cursor:
        for table in ("terminals_alertemail", "terminals_episode"):
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])
        cursor.execute(
            """
            UPDATE terminals_terminal SET status = 'connected',
                alert_after = now() + interval '1 hour'
            WHERE organization_id = %s AND (status <> 'connected' OR alert_after <= now())
            """,
            [organization.pk],
        )
        cursor.execute(
            """
            UPDATE terminals_terminal SET alert_after = now() - interval '1 minute',
                last_heartbeat_at = now() - interval '1 hour'
            WHERE id IN (
                SELECT id FROM terminals_terminal
                WHERE organization_id = %s AND substr(identifier, 2)::int %% %s = 0
                ORDER BY id LIMIT %s
            )
            """,
            [organization.pk, stale_modulo, limit],
        )
        cursor.execute("VACUUM ANALYZE terminals_terminal")
        cursor.execute("VACUUM ANALYZE terminals_episode")
        cursor.execute("VACUUM ANALYZE terminals_alertemail")
        # Flush the setup's own writes, so the sweep is not timed writing them back.
        cursor.execute("CHECKPOINT")


def naive_sweep() -> int:
    """The baseline: find the stale terminals, then flip and record each one by one."""
    from contacts.models import Contact
    from terminals.models import AlertEmail, Episode, Terminal
    from terminals.outbox import alert_lease

    now = timezone.now()
    episodes = 0
    stale = Terminal.objects.filter(status="connected", alert_after__lte=now)
    for terminal in stale:
        with transaction.atomic():
            if not Terminal.objects.filter(pk=terminal.pk, status="connected").update(
                status="disconnected"
            ):
                continue
            episode = Episode.objects.create(
                organization_id=terminal.organization_id,
                terminal=terminal,
                client_id=terminal.client_id,
                started_at=now,
                last_heartbeat_at=terminal.last_heartbeat_at,
            )
            for contact in Contact.objects.filter(
                client_id=terminal.client_id, auto_dispatch=True
            ).exclude(email=""):
                AlertEmail.objects.create(
                    organization_id=terminal.organization_id,
                    episode=episode,
                    kind="disconnected",
                    contact=contact,
                    recipient=contact.email,
                    next_attempt_at=now + alert_lease(),
                )
            episodes += 1
    return episodes


def purge_queue() -> None:
    # The bench's delivery messages point at bench rows; no worker should ever see them.
    from config.celery import app

    app.control.purge()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terminals", type=int, default=1_000_000)
    parser.add_argument("--baseline-slice", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="timed sweeps (median)")
    args = parser.parse_args()

    from terminals.sweep import alert_sweep

    organization = ensure_fleet(args.terminals)

    reset_fleet(organization, limit=args.baseline_slice)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as baseline_queries:
        baseline_episodes = naive_sweep()
    baseline_s = time.perf_counter() - started
    log(f"baseline: {baseline_episodes} episodes one by one in {baseline_s:.2f} s")

    # The machine is shared and noisy: the sweep is timed a few times, the median reported.
    runs = []
    for _ in range(args.repeat):
        reset_fleet(organization)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = alert_sweep()
        runs.append(time.perf_counter() - started)
        purge_queue()
        log(f"sweep: {result.new_episodes} episodes, {result.queued} e-mails in {runs[-1]:.2f} s")
    sweep_s = statistics.median(runs)

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as idle_queries:
        idle = alert_sweep()
    idle_sweep_s = time.perf_counter() - started

    baseline_per_episode = baseline_s / max(baseline_episodes, 1)
    print(
        json.dumps(
            {
                "terminals": args.terminals,
                "new_episodes": result.new_episodes,
                "emails_queued": result.queued,
                "sweep_s": round(sweep_s, 3),
                "sweep_s_runs": [round(run, 3) for run in runs],
                "idle_sweep_s": round(idle_sweep_s, 3),
                "idle_new_episodes": idle.new_episodes,
                "statements": len(queries),
                "idle_statements": len(idle_queries),
                "baseline_episodes": baseline_episodes,
                "baseline_statements": len(baseline_queries),
                "baseline_s": round(baseline_s, 3),
                "baseline_projected_s": round(baseline_per_episode * result.new_episodes, 1),
                "speedup": round(baseline_per_episode * result.new_episodes / sweep_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
