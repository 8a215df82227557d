"""Client search at scale: `python -m bench.search --rows 1000000`.

Loads realistic clients into one organization (plus a smaller second one) of a database of
its own (BENCH_DATABASE_URL, else the server of DATABASE_URL with the database
`vigia_bench_search`, created and migrated when missing), then times the screen's search
(`client_search_page`: first page and its count) over a fixed mix of queries against a
baseline (an `icontains` OR across the five fields, exact count, no trigram index), and
the same mix inside a project holding half of the clients, as the screen runs it when the
operator works in a project. Rows are written as the app writes them: through the clients'
row rule (client_prepare). Prints one JSON object on the last line. A second run with the
same --rows reuses the data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "vigia_bench_search"
BENCH_ORG = "bench-search"
OTHER_ORG = "bench-search-other"
BENCH_PROJECT = "Metade"

TYPES = (
    "Comércio de Alimentos",
    "Comércio Varejista",
    "Comércio e Representações",
    "Distribuidora",
    "Supermercados",
    "Farmácia",
    "Padaria e Confeitaria",
    "Auto Posto",
    "Lojas",
    "Restaurante",
    "Hotel",
    "Academia",
    "Clínica Médica",
    "Construtora",
    "Transportes",
    "Indústria de Plásticos",
    "Serviços de Informática",
    "Papelaria",
    "Materiais de Construção",
    "Ótica",
    "Açougue",
    "Pet Shop",
    "Livraria",
    "Imobiliária",
    "Escola",
    "Laboratório",
    "Móveis",
    "Calçados",
    "Confecções",
    "Mercearia",
)
PLACES = (
    "São João",
    "São Paulo",
    "São Jorge",
    "Santa Luzia",
    "Santa Cecília",
    "Bela Vista",
    "Ipiranga",
    "Três Irmãos",
    "Boa Esperança",
    "Pão de Ouro",
    "Jardim Botânico",
    "Araucária",
    "Guanabara",
    "Nossa Senhora Aparecida",
    "Porto Alegre",
    "Horizonte",
    "Cruzeiro do Sul",
    "Paraná",
    "Goiânia",
    "Maringá",
    "Itajaí",
    "Florianópolis",
    "Ribeirão Preto",
    "Uberlândia",
    "Jundiaí",
    "Niterói",
    "Petrópolis",
    "Vitória",
    "Belém",
    "Macapá",
    "Cuiabá",
    "Anápolis",
    "Mogi das Cruzes",
    "Taubaté",
    "Bauru",
    "Piracicaba",
    "Londrina",
    "Cascavel",
    "Joinville",
    "Blumenau",
)
SURNAMES = (
    "Silva",
    "Souza",
    "Oliveira",
    "Santos",
    "Pereira",
    "Lima",
    "Costa",
    "Almeida",
    "Gomes",
    "Gonçalves",
    "Araújo",
    "Simões",
    "Conceição",
    "Magalhães",
    "Brandão",
    "Falcão",
    "Guimarães",
    "Assunção",
    "Romão",
    "Leão",
    "Barbosa",
    "Ribeiro",
    "Carvalho",
    "Rocha",
    "Dias",
    "Mendes",
    "Cardoso",
    "Teixeira",
    "Moreira",
    "Nogueira",
)
SUFFIXES = ("Ltda", "Ltda", "Ltda", "Ltda.", "ME", "EIRELI", "S.A.", "EPP")
CITIES = ("sp", "rj", "bh", "poa", "cwb", "rec", "ssa", "bsb", "for", "man")
DOMAINS = ("b2midia.com.br", "wvds.com.br", "gmail.com", "outlook.com", "uol.com.br")
SYLLABLES = [c + v for c in "bcdfglmnprstvxz" for v in "aeiou"]
ALPHANUMERIC = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
COLUMNS = (
    "organization_id",
    "code",
    "cnpj",
    "razao_social",
    "nome_fantasia",
    "conta",
    "email_wvds",
    "anotacoes",
    "status",
    "search_text",
    "created_at",
    "updated_at",
)


def _database_url(database: str = BENCH_DATABASE) -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigia"))
    if not server.scheme.startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL or BENCH_DATABASE_URL.")
    return urlunsplit(server._replace(path=f"/{database}"))


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def _brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((3, 3, 4)))).capitalize()


def _cnpj_root(i: int) -> str:
    # A bijection of i keeps roots unique; one in ten is alphanumeric (valid since July 2026),
    # its letters spelling the digits they replace so those stay unique too.
    root = f"{(i * 7919 + 10_007) % 100_000_000:08d}"
    if i % 10 == 3:
        root = (
            root[:2] + ALPHANUMERIC[10 + int(root[2])] + ALPHANUMERIC[10 + int(root[3])] + root[4:]
        )
    return root


def generate(count: int, seed: int, organization_id: int) -> Iterator[tuple]:
    """Rows for COPY, in COLUMNS order, after the clients' row rule; deterministic for a
    seed."""
    from clients import cnpj as cnpj_rules
    from clients.services import client_prepare

    rng = random.Random(seed)
    now = datetime.now(UTC)
    for i in range(count):
        branch = "0001" if rng.random() < 0.85 else f"{rng.randint(2, 60):04d}"
        base = _cnpj_root(i) + branch
        number = base + cnpj_rules.check_digits(base)
        kind = rng.random()
        suffix = rng.choice(SUFFIXES)
        place = rng.choice(PLACES)
        brand = _brand(rng)
        if kind < 0.45:
            razao = f"{rng.choice(TYPES)} {place} {suffix}"
            fantasia = place
        elif kind < 0.75:
            razao = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {rng.choice(TYPES)} {suffix}"
            fantasia = f"{rng.choice(TYPES).split()[0]} {rng.choice(SURNAMES)}"
        else:
            razao = f"{brand} {rng.choice(TYPES)} {suffix}"
            fantasia = brand
        conta = f"{rng.choice(CITIES)}-{i:07d}"
        # A WVDS account serves a handful of clients, like the seed's cvc@b2midia.com.br.
        account = i // 4
        email = f"{_slug(TYPES[account % len(TYPES)])[:10]}{account}@{DOMAINS[account % 5]}"
        status = "active" if rng.random() < 0.9 else "inactive"
        row = client_prepare(
            {
                "organization_id": organization_id,
                "code": uuid.uuid4(),
                "cnpj": number,
                "razao_social": razao,
                "nome_fantasia": fantasia,
                "conta": conta,
                "email_wvds": email,
                "anotacoes": "",
                "status": status,
                "created_at": now,
                "updated_at": now,
            }
        )
        yield tuple(row[column] for column in COLUMNS)


def _plain_indexes(cursor, table: str = "clients_client") -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    return cursor.fetchall()


def load(rows: int, organization, other, project) -> float:
    """Replaces every client with `rows` in `organization` and rows // 20 in `other`; every
    other client of `organization` belongs to `project`."""
    from django.db import connection, transaction

    started = time.perf_counter()
    # One transaction: if anything fails, the dropped indexes come back with the rollback.
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("TRUNCATE clients_client CASCADE")
        # Building indexes once after COPY is far cheaper than maintaining them per row.
        indexes = _plain_indexes(raw)
        if not any("gin_trgm_ops" in definition for _name, definition in indexes):
            sys.exit(f"The trigram index is missing: drop the database {BENCH_DATABASE} and rerun.")
        for name, _definition in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        columns = ", ".join(COLUMNS)
        with raw.copy(f"COPY clients_client ({columns}) FROM STDIN") as copy:
            for row in generate(rows, seed=2026, organization_id=organization.pk):
                copy.write_row(row)
            # The second organization repeats some CNPJs of the first: allowed across tenants.
            for row in generate(max(1, rows // 20), seed=2026, organization_id=other.pk):
                copy.write_row(row)
        # The deferred foreign-key checks must run before an index can be built.
        raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
        raw.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            raw.execute(definition)
        raw.execute(
            "INSERT INTO clients_client_projects (client_id, project_id) "
            "SELECT id, %s FROM clients_client WHERE organization_id = %s AND id %% 2 = 0",
            [project.pk, organization.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE clients_client")
        cursor.execute("VACUUM ANALYZE clients_client_projects")
    return time.perf_counter() - started


def query_mix(rows: int) -> dict[str, str]:
    """The fixed mix, taken from a row in the middle of the generated data."""
    from clients import cnpj as cnpj_rules

    pick = rows // 2 + 7
    rare = None
    for i, row in enumerate(generate(rows, seed=2026, organization_id=0)):
        if i == pick:
            _org, _code, number, razao, fantasia, conta, email, *_rest = row
        # A made-up brand name (one word, not a place) is in a row or two of a million.
        if i >= pick and " " not in row[4] and row[4] not in PLACES:
            rare = row[4]
            break
    formatted = cnpj_rules.format_cnpj(number)
    return {
        "cnpj fragment with punctuation": formatted[3:15],
        "cnpj fragment without": number[1:9],
        "rare word": rare or razao.split()[0],
        "common word comercio": "comercio",
        "common word ltda": "ltda",
        "accent-free name": "sao joao",
        "exact e-mail": email,
        "conta": conta,
    }


def _loaded(organization, project, rows: int) -> bool:
    """The data of an earlier run is there, written as the row rule writes it now."""
    from clients.models import Client
    from clients.services import SEARCHED_FIELDS, client_prepare

    clients = Client.objects.for_org(organization)
    sample = clients.order_by("pk").first()
    if sample is None or clients.count() != rows or not clients.in_project(project).exists():
        return False
    fields = {name: getattr(sample, name) for name in SEARCHED_FIELDS}
    return sample.search_text == client_prepare(fields)["search_text"]


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _time(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10, help="timed rounds of the mix")
    parser.add_argument("--reload", action="store_true", help="reload even if the data is there")
    args = parser.parse_args()

    url = _database_url()
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Q

    from clients.models import Client
    from clients.selectors import COUNT_CAP, PAGE_SIZE, client_search_page
    from tenancy.models import Organization, Project

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(slug=BENCH_ORG, defaults={"name": "Bench"})
    other, _ = Organization.objects.get_or_create(slug=OTHER_ORG, defaults={"name": "Other"})
    project, _ = Project.objects.get_or_create(organization=organization, name=BENCH_PROJECT)
    load_s = 0.0
    if args.reload or not _loaded(organization, project, args.rows):
        load_s = load(args.rows, organization, other, project)
        print(f"loaded {args.rows} clients in {load_s:.1f}s", file=sys.stderr)

    def screen(query: str) -> None:
        client_search_page(organization=organization, query=query)

    def screen_in_project(query: str) -> None:
        client_search_page(organization=organization, project=project, query=query)

    def baseline(query: str) -> None:
        fields = ("cnpj", "razao_social", "nome_fantasia", "conta", "email_wvds")
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": query})
        matches = Client.objects.for_org(organization).filter(condition).order_by("razao_social")
        matches.count()
        list(matches[:PAGE_SIZE])

    mix = query_mix(args.rows)
    for query in mix.values():  # warm the caches once, untimed
        screen(query)
        screen_in_project(query)
    timings: dict[str, list[float]] = {label: [] for label in mix}
    project_timings: dict[str, list[float]] = {label: [] for label in mix}
    base_timings: dict[str, list[float]] = {label: [] for label in mix}
    for round_number in range(args.repeat):
        for label, query in mix.items():
            timings[label].append(_time(lambda q=query: screen(q)))
            project_timings[label].append(_time(lambda q=query: screen_in_project(q)))
            # The baseline takes seconds per query at a million rows: two rounds suffice.
            if round_number < 2:
                base_timings[label].append(_time(lambda q=query: baseline(q)))
    for label, query in mix.items():
        page = client_search_page(organization=organization, query=query)
        shown = f"{'>' if page.count_capped else ''}{page.count}"
        print(
            f"{label:32} {query!r:28} matches {shown:>7}  "
            f"p95 {_percentile(timings[label], 0.95):7.1f} ms  "
            f"in project {_percentile(project_timings[label], 0.95):7.1f} ms  "
            f"baseline p95 {_percentile(base_timings[label], 0.95):7.1f} ms",
            file=sys.stderr,
        )
    samples = [t for values in timings.values() for t in values]
    base_samples = [t for values in base_timings.values() for t in values]
    project_samples = [t for values in project_timings.values() for t in values]
    p95 = _percentile(samples, 0.95)
    baseline_p95 = _percentile(base_samples, 0.95)
    result = {
        "rows": args.rows,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "baseline_p95_ms": round(baseline_p95, 2),
        "speedup_p95": round(baseline_p95 / p95, 1),
        "project_p95_ms": round(_percentile(project_samples, 0.95), 2),
        "count_cap": COUNT_CAP,
        "samples": len(samples),
        "load_s": round(load_s, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
