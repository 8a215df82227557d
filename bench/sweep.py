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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from tenancy.models import Organization  # noqa: E402

FLEET_SLUG = "bench-fleet"
CLIENTS = 1000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_fleet(terminals: int) -> Organization:
    """An organization with `terminals` connected terminals ('T0000001'…), every hundredth
    linked to one of 1,000 clients that each have an auto-dispatch contact; built with a few
    set-based statements and kept between runs."""
    if connection.vendor != "postgresql":
        raise SystemExit("the benchmarks need PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(
        slug=FLEET_SLUG, defaults={"name": "Bench fleet", "sender_email": "alertas@example.com"}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM terminals_terminal WHERE organization_id = %s", [organization.pk]
        )
        if cursor.fetchone()[0] == terminals:
            return organization
        log(f"building a fleet of {terminals:,} terminals…")
        started = time.perf_counter()
        with transaction.atomic():
            for table in ("terminals_alertemail", "terminals_episode", "terminals_terminal"):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])
            cursor.execute(
                "DELETE FROM contacts_contact WHERE organization_id = %s", [organization.pk]
            )
            cursor.execute(
                "DELETE FROM clients_client WHERE organization_id = %s", [organization.pk]
            )
            cursor.execute(
                """
                INSERT INTO clients_client (code, organization_id, cnpj, razao_social,
                    nome_fantasia, conta, email_wvds, anotacoes, status, created_at, updated_at)
                SELECT gen_random_uuid(), %(org)s, lpad(i::text, 14, '0'), 'Cliente ' || i,
                    'Cliente ' || i, '', 'conta' || i || '@bench.example', '', 'active',
                    now(), now()
                FROM generate_series(1, %(clients)s) i
                """,
                {"org": organization.pk, "clients": CLIENTS},
            )
            cursor.execute(
                """
                INSERT INTO contacts_contact (code, organization_id, client_id, name, notes,
                    email, phone, auto_dispatch, created_at, updated_at)
                SELECT gen_random_uuid(), c.organization_id, c.id, 'Contato ' || c.id, '',
                    'contato' || c.id || '@bench.example', '', true, now(), now()
                FROM clients_client c WHERE c.organization_id = %s
                """,
                [organization.pk],
            )
            cursor.execute(
                """
                WITH numbered AS (
                    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                    FROM clients_client WHERE organization_id = %(org)s
                )
                INSERT INTO terminals_terminal (code, organization_id, identifier, name,
                    email_wvds, client_id, last_heartbeat_at, status, alert_after,
                    created_at, updated_at)
                SELECT gen_random_uuid(), %(org)s, 'T' || lpad(i::text, 7, '0'), 'Tela ' || i,
                    '', CASE WHEN i %% 100 = 0 THEN numbered.id END, now(), 'connected',
                    now() + interval '1 hour', now(), now()
                FROM generate_series(1, %(terminals)s) i
                LEFT JOIN numbered ON numbered.n = (i / 100) %% %(clients)s
                """,
                {"org": organization.pk, "terminals": terminals, "clients": CLIENTS},
            )
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
    from terminals.alerts import alert_lease
    from terminals.models import AlertEmail, Episode, Terminal

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

    from terminals.alerts import alert_sweep

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
