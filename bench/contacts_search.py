"""Contatos screen search at scale: `python -m bench.contacts_search --rows 1000000`.

Loads contacts into one organization (plus a smaller second one) of a database of its own
(BENCH_DATABASE_URL, else the server of DATABASE_URL with the database
`vigia_bench_contacts`, created and migrated when missing): a client for every 100
contacts, seven in ten contacts with a company, one in twenty with a portal account (active,
inactive or deactivated). Rows are written through the contacts' row rule (contact_prepare).
Then times the screen's query (`contact_directory_page`: first page and its count) over a
fixed mix of searches and status filters against a baseline measured in the same run (an
`icontains` OR over name and e-mail with the same status filter, exact count, no trigram
index). Prints one JSON object on the last line. A second run with the same --rows reuses
the data. Shares its database and timing helpers with bench.search (the clients' search).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from bench.search import (
    COLUMNS as CLIENT_COLUMNS,
)
from bench.search import (
    SURNAMES,
    _database_url,
    _ensure_database,
    _percentile,
    _plain_indexes,
    _time,
)
from bench.search import generate as generate_clients

BENCH_DATABASE = "vigia_bench_contacts"
BENCH_ORG = "bench-contacts"
OTHER_ORG = "bench-contacts-other"
FIRST_NAMES = (
    "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda",
    "Patrícia", "Aline", "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro",
    "Lucas", "Luiz", "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno",
    "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Conceição", "Sebastião", "Íris", "Zélia",
)  # fmt: skip
CONTACT_COLUMNS = (
    "organization_id", "code", "client_id", "name", "notes", "email", "phone",
    "auto_dispatch", "search_text", "created_at", "updated_at",
)  # fmt: skip
DOMAINS = ("gmail.com", "outlook.com", "uol.com.br", "empresa.com.br", "terra.com.br")


def generate(count: int, seed: int, organization_id: int, client_ids: list[int]) -> Iterator[tuple]:
    """Contact rows for COPY, in CONTACT_COLUMNS order, after the contacts' row rule."""
    from contacts.services import contact_prepare

    rng = random.Random(seed)
    now = datetime.now(UTC)
    for i in range(count):
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        name = f"{first} {rng.choice(SURNAMES)} {surname}"
        slug = f"{first}.{surname}".lower().encode("ascii", "ignore").decode()
        email = f"{slug}{i}@{DOMAINS[i % len(DOMAINS)]}"
        row = contact_prepare(
            {"name": name, "email": email, "phone": "", "notes": "", "auto_dispatch": False}
        )
        # Drawn whatever the clients, so that query_mix (which has none) sees the same rows.
        with_company, pick = rng.random() < 0.7, rng.randrange(1 << 30)
        client_id = client_ids[pick % len(client_ids)] if client_ids and with_company else None
        yield (
            organization_id, uuid.uuid4(), client_id, row["name"], "", row["email"], "",
            False, row["search_text"], now, now,
        )  # fmt: skip


def _copy(raw, table: str, columns: tuple[str, ...], rows) -> None:
    with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(rows: int, organization, other) -> float:
    """Replaces every contact (and client) with `rows` contacts in `organization` and
    rows // 20 in `other`, with their clients and some portal accounts."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("TRUNCATE clients_client, contacts_contact CASCADE")
        indexes = _plain_indexes(raw, "contacts_contact")
        if not any("gin_trgm_ops" in definition for _name, definition in indexes):
            sys.exit(f"The trigram index is missing: drop the database {BENCH_DATABASE} and rerun.")
        for name, _definition in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        for org, count in ((organization, rows), (other, max(1, rows // 20))):
            clients = generate_clients(max(1, count // 100), seed=7, organization_id=org.pk)
            _copy(raw, "clients_client", CLIENT_COLUMNS, clients)
            raw.execute("SELECT id FROM clients_client WHERE organization_id = %s", [org.pk])
            client_ids = [row[0] for row in raw.fetchall()]
            _copy(
                raw, "contacts_contact", CONTACT_COLUMNS, generate(count, 2026, org.pk, client_ids)
            )
        raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
        raw.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            raw.execute(definition)
        # One contact in twenty has a portal account, in the three statuses that have one.
        raw.execute(
            """
            INSERT INTO portal_portalaccount (organization_id, code, kind, client_id, contact_id,
                username, email, password, status, created_at, updated_at)
            SELECT organization_id, gen_random_uuid(), 'contact', client_id, id, '', '', '',
                (ARRAY['active', 'inactive', 'deactivated'])[1 + (id / 20) % 3], now(), now()
            FROM contacts_contact WHERE id % 20 = 0
            """
        )
    with connection.cursor() as cursor:
        for table in ("clients_client", "contacts_contact", "portal_portalaccount"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def query_mix(rows: int) -> dict[str, tuple[str, str]]:
    """(query, status) pairs taken from a row in the middle of the generated data."""
    pick = rows // 2 + 7
    for i, row in enumerate(generate(rows, seed=2026, organization_id=0, client_ids=[])):
        if i == pick:
            name, email = row[3], row[5]
            break
    return {
        "rare e-mail fragment": (email.split("@")[0][-9:], ""),
        "exact e-mail": (email, ""),
        "full name": (name, ""),
        "common surname silva": ("silva", ""),
        "common first name maria": ("maria", ""),
        "accent-free name": ("conceicao", ""),
        "status active": ("", "active"),
        "common word, not registered": ("silva", "not_registered"),
        "surname, deactivated": (name.split()[-1], "deactivated"),
        "first page": ("", ""),
    }


def _loaded(organization, rows: int) -> bool:
    from contacts.models import Contact
    from contacts.services import contact_search_text

    contacts = Contact.objects.for_org(organization)
    sample = contacts.order_by("pk").first()
    if sample is None or contacts.count() != rows:
        return False
    return sample.search_text == contact_search_text(name=sample.name, email=sample.email)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10, help="timed rounds of the mix")
    parser.add_argument("--reload", action="store_true", help="reload even if the data is there")
    args = parser.parse_args()

    url = _database_url(BENCH_DATABASE)
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Q

    from contacts.models import Contact
    from portal.selectors import COUNT_CAP, PAGE_SIZE, contact_directory_page, status_filter
    from tenancy.models import Organization

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(slug=BENCH_ORG, defaults={"name": "Bench"})
    other, _ = Organization.objects.get_or_create(slug=OTHER_ORG, defaults={"name": "Other"})
    load_s = 0.0
    if args.reload or not _loaded(organization, args.rows):
        load_s = load(args.rows, organization, other)
        print(f"loaded {args.rows} contacts in {load_s:.1f}s", file=sys.stderr)

    def screen(query: str, status: str) -> None:
        page = contact_directory_page(organization=organization, query=query, status=status)
        # The page's rows are what the template reads (client and account included).
        [(c.client, getattr(c, "portal_account", None)) for c in page.contacts]

    def baseline(query: str, status: str) -> None:
        matches = Contact.objects.for_org(organization).filter(status_filter(status))
        if query:
            matches = matches.filter(Q(name__icontains=query) | Q(email__icontains=query))
        matches = matches.order_by("name", "id")
        matches.count()
        list(matches.select_related("client", "portal_account")[:PAGE_SIZE])

    mix = query_mix(args.rows)
    for query, status in mix.values():  # warm the caches once, untimed
        screen(query, status)
    timings: dict[str, list[float]] = {label: [] for label in mix}
    base_timings: dict[str, list[float]] = {label: [] for label in mix}
    for round_number in range(args.repeat):
        for label, (query, status) in mix.items():
            timings[label].append(_time(lambda q=query, s=status: screen(q, s)))
            # The baseline takes seconds per query at a million rows: two rounds suffice.
            if round_number < 2:
                base_timings[label].append(_time(lambda q=query, s=status: baseline(q, s)))
    for label, (query, status) in mix.items():
        page = contact_directory_page(organization=organization, query=query, status=status)
        shown = f"{'>' if page.count_capped else ''}{page.count}"
        print(
            f"{label:30} {query[:24]!r:28} {status:15} matches {shown:>7}  "
            f"p95 {_percentile(timings[label], 0.95):7.1f} ms  "
            f"baseline p95 {_percentile(base_timings[label], 0.95):7.1f} ms",
            file=sys.stderr,
        )
    samples = [t for values in timings.values() for t in values]
    base_samples = [t for values in base_timings.values() for t in values]
    p95 = _percentile(samples, 0.95)
    baseline_p95 = _percentile(base_samples, 0.95)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(p95, 2),
                "baseline_p95_ms": round(baseline_p95, 2),
                "speedup_p95": round(baseline_p95 / p95, 1),
                "count_cap": COUNT_CAP,
                "samples": len(samples),
                "load_s": round(load_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
