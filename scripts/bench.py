"""`make bench`: how the key pages hold up as the plan grows, on SQLite and on PostgreSQL.

For each database engine, seeds three fresh databases – the demo CTG (×1), ×10 and ×100 (about 2,600
actions and 25,000 points d'étape, see `bench_data.py`) – then measures each page of `bench_pages.py`
with Django's test client, in this process: its SQL queries, and the median and 95th percentile of its
server time (the time of `client.get`/`client.post`) over `--requests` requests per size (40 by default), the
sizes taken in turn request after request so that a busy machine slows them alike. Writes run in a transaction rolled
back afterwards. Then the bilan PDF at ×1 and ×10 (seconds, pages) and two floors: a minimal
login-protected page and WeasyPrint alone on the bilan's HTML.

Prints a table and writes `bench-results.json` (see the README). SQLite databases live in a temporary
folder; PostgreSQL ones (`bench_x1`…) are created on BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432, and dropped at the end; PostgreSQL is skipped when none answers.

Usage: .venv/bin/python scripts/bench.py [--quick] [--requests 40] [--databases sqlite postgresql] [--output FILE]
       [--pages dashboard list …] [--no-pdf]

`--pages` measures only the pages named (see `bench_pages.py`) and `--no-pdf` skips the bilan PDF, for
measuring one page before and after a change; such a partial run is not the issue's full benchmark.
"""

import argparse
import copy
import gc
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="pilote-ctg-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ctg.settings.test"  # DEBUG off, cached templates, no HTTPS redirect
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'x1.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench_urls"  # the project's URLs plus the floor page
settings.MEDIA_ROOT = str(WORKDIR / "media")
settings.STATIC_ROOT = str(WORKDIR / "static")  # nothing collected: WhiteNoise serves from the finders
(WORKDIR / "static").mkdir()
settings.WHITENOISE_AUTOREFRESH = False  # as in production: no look-up of static files on every request

import environ  # noqa: E402
from bench_data import grow, seed_demo  # noqa: E402
from bench_pages import ANONYMOUS, COORDINATION, key_pages, written_rows  # noqa: E402
from bench_pdf import bilan_pdf  # noqa: E402
from bench_urls import FLOOR_PATH  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction  # noqa: E402
from django.db.utils import load_backend  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ctg.models import User  # noqa: E402

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
RESULTS = ROOT / "bench-results.json"
TARGET_P95_MS = 150
TARGET_RATIO = 1.5
TARGET_PDF_SECONDS = 5
TRANSACTION_CONTROL = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class Databases:
    """One database per size for an engine; `use(size)` points the default connection at it."""

    def __init__(self, engine: str, sizes: dict[str, int]):
        self.engine, self.sizes = engine, sizes
        self.names = {size: f"bench_{size}" for size in sizes}
        base = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
        if engine == "postgresql":
            config = environ.Env.db_url_config(f"{POSTGRES_URL}/bench")
            base |= {key: config[key] for key in ("ENGINE", "USER", "PASSWORD", "HOST", "PORT")}
            base["OPTIONS"] = settings.POSTGRESQL_OPTIONS | config.get("OPTIONS", {})
        self.wrappers = {
            size: load_backend(base["ENGINE"]).DatabaseWrapper(base | {"NAME": self.path(size)}, DEFAULT_DB_ALIAS)
            for size in sizes
        }

    def path(self, size: str) -> str:
        return str(WORKDIR / f"{size}.sqlite3") if self.engine == "sqlite" else self.names[size]

    def use(self, size: str) -> None:
        connections[DEFAULT_DB_ALIAS] = self.wrappers[size]

    def admin(self):
        import psycopg

        return psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True, connect_timeout=3)

    def create(self) -> None:
        """Fresh databases: the demo in ×1, copied into the others, which then grow."""
        first, *others = self.sizes
        if self.engine == "postgresql":
            with self.admin() as admin:
                for name in self.names.values():
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.names[first]}"')
        ContentType.objects.clear_cache()
        start = time.perf_counter()
        self.use(first)
        seed_demo()
        self.wrappers[first].close()
        say(f"  démo chargée en {time.perf_counter() - start:.1f} s")
        for size in others:
            if self.engine == "sqlite":
                shutil.copyfile(self.path(first), self.path(size))
            else:
                with self.admin() as admin:
                    admin.execute(f'CREATE DATABASE "{self.names[size]}" TEMPLATE "{self.names[first]}"')
        for size, factor in self.sizes.items():
            self.use(size)
            say(f"  {grow(factor)}")

    def drop(self) -> None:
        for wrapper in self.wrappers.values():
            wrapper.close()
        if self.engine == "postgresql":
            with self.admin() as admin:
                for name in self.names.values():
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_answers() -> bool:
    try:
        Databases("postgresql", {}).admin().close()
    except Exception as error:  # noqa: BLE001 – any failure means: no server to measure
        say(f"PostgreSQL ne répond pas sur {POSTGRES_URL} ({error.__class__.__name__}) : mesures sautées.")
        return False
    return True


def send(client: Client, page):
    headers = {**page.headers, "HX-Request": "true"} if page.htmx else page.headers
    if page.data is None:
        return client.get(page.path, headers=headers)
    return client.post(page.path, page.data, headers=headers)


def statements(queries, start: int) -> int:
    """The SQL statements run since `start`, transaction control (BEGIN, SAVEPOINT, COMMIT…) left out: both
    databases then count alike, and a rolled-back write counts as the same write committed."""
    return sum(1 for query in queries.captured_queries[start:] if not TRANSACTION_CONTROL.match(query["sql"]))


def timed(client: Client, page, *, count: bool = False) -> tuple[float, int | None]:
    """Server time of one request in ms, and with `count` its number of SQL statements. A write runs in a
    transaction rolled back afterwards; when counted, it must have written something (a valid form), else
    what is measured would be the form's error."""
    write = page.data is not None
    with (
        CaptureQueriesContext(connection) if count else nullcontext() as queries,
        transaction.atomic() if write else nullcontext(),
    ):
        before = written_rows() if count and write else None
        first = len(queries) if count else 0
        start = time.perf_counter()
        response = send(client, page)
        elapsed = (time.perf_counter() - start) * 1000
        executed = statements(queries, first) if count else None
        if before is not None and written_rows() <= before:
            raise SystemExit(f"{page.name} : le formulaire envoyé n'a rien enregistré :\n{response.content[:3000]}")
        if write:
            transaction.set_rollback(True)
    if response.status_code != 200:
        raise SystemExit(f"{page.name} : réponse {response.status_code} au lieu de 200 ({page.path})")
    return elapsed, executed


def measure_pages(databases: Databases, requests: int, only: list[str] | None = None) -> dict:
    """Queries, median and p95 of every page (or of the pages named in `only`) at every size, the sizes
    interleaved request by request."""
    sizes = list(databases.sizes)
    databases.use(sizes[0])
    pages = [page for page in key_pages() if only is None or page.name in only]
    unknown = set(only or []) - {page.name for page in pages}
    if unknown:
        raise SystemExit(f"Pages inconnues : {', '.join(sorted(unknown))}")
    clients = {}
    for size in sizes:
        databases.use(size)
        for username in {page.user for page in pages} | {COORDINATION}:  # the coordination requests the floor
            clients[size, username] = Client()
            if username != ANONYMOUS:
                clients[size, username].force_login(User.objects.get(username=username))
    results = {}
    for page in pages:
        queries, timings = {}, {size: [] for size in sizes}
        for size in sizes:  # warm-up (caches), counting the queries of the request
            databases.use(size)
            for _ in range(2):
                queries[size] = timed(clients[size, page.user], page, count=True)[1]
        gc.collect()
        for _ in range(requests):
            for size in sizes:
                databases.use(size)
                timings[size].append(timed(clients[size, page.user], page)[0])
        results[page.name] = {
            size: {
                "queries": queries[size],
                "median_ms": round(statistics.median(timings[size]), 1),
                "p95_ms": round(p95(timings[size]), 1),
            }
            for size in sizes
        }
        say(f"  {page.name:<20} " + "  ".join(f"{size} {results[page.name][size]['p95_ms']:>7.1f}" for size in sizes))
    databases.use(sizes[0])
    floor = clients[sizes[0], COORDINATION]
    for _ in range(5):
        floor.get(FLOOR_PATH)
    floor_times = []
    for _ in range(max(requests, 100)):
        start = time.perf_counter()
        floor.get(FLOOR_PATH)
        floor_times.append((time.perf_counter() - start) * 1000)
    return {"pages": results, "floor_ms": round(p95(floor_times), 2)}


def misses(by_size: dict) -> list[str]:
    """What a page misses of the targets: the same queries at every size, a p95 at the largest size under
    150 ms and within 1.5× of the smallest's."""
    first, last = by_size[next(iter(by_size))], by_size[list(by_size)[-1]]
    found = []
    if len({item["queries"] for item in by_size.values()}) > 1:
        found.append("requêtes variables")
    if last["p95_ms"] > TARGET_P95_MS:
        found.append(f"p95 > {TARGET_P95_MS} ms")
    if last["p95_ms"] > TARGET_RATIO * max(first["p95_ms"], 0.1):
        found.append(f"> {TARGET_RATIO}× ×1")
    return found


def table(engine: str, block: dict) -> str:
    sizes = list(next(iter(block["pages"].values())))
    head = f"{'page':<20}" + "".join(f" | {size:>5} req   méd    p95" for size in sizes) + " | p95 ratio | cibles"
    lines = [f"\n{engine} – temps serveur en ms (médiane, 95e centile), requêtes SQL", head, "-" * len(head)]
    for name, by_size in block["pages"].items():
        cells = "".join(
            f" | {item['queries']:>9} {item['median_ms']:>6.1f} {item['p95_ms']:>6.1f}" for item in by_size.values()
        )
        ratio = by_size[sizes[-1]]["p95_ms"] / max(by_size[sizes[0]]["p95_ms"], 0.1)
        lines.append(f"{name:<20}{cells} | {ratio:>9.2f} | {', '.join(misses(by_size)) or 'OK'}")
    pdf = block["pdf"]
    if pdf:
        pdf_verdict = "OK" if pdf["x1"]["seconds"] < TARGET_PDF_SECONDS else "HORS CIBLE"
        lines.append(
            "PDF du bilan : "
            + ", ".join(f"{size} {item['seconds']:.2f} s ({item['pages']} pages)" for size, item in pdf.items())
            + f" – cible ×1 < {TARGET_PDF_SECONDS} s : {pdf_verdict}"
        )
    floors = block["floors"]
    lines.append(f"Planchers : page minimale connectée p95 {floors['minimal_view_p95_ms']:.2f} ms")
    if floors["weasyprint_same_html_seconds"] is not None:
        lines[-1] += f", WeasyPrint seul sur le même HTML {floors['weasyprint_same_html_seconds']:.2f} s"
    return "\n".join(lines)


def bench(engine: str, sizes: dict[str, int], requests: int, pdf_runs: int, only: list[str] | None = None) -> dict:
    """The block of one engine; `pdf_runs` 0 leaves the PDF out (`pdf` empty, its floor None)."""
    say(f"\n{engine} : préparation des bases {', '.join(sizes)}")
    databases = Databases(engine, sizes)
    pdf, alone = {}, None
    try:
        databases.create()
        say(f"{engine} : {requests} requêtes par page et par taille (p95 en ms)")
        measured = measure_pages(databases, requests, only)
        if pdf_runs:
            say(f"{engine} : PDF du bilan")
            pdf, alone = bilan_pdf(databases.use, [size for size in sizes if sizes[size] <= 10], pdf_runs)
    finally:
        databases.drop()
    floors = {"minimal_view_p95_ms": measured["floor_ms"], "weasyprint_same_html_seconds": alone}
    return {"pages": measured["pages"], "pdf": pdf, "floors": floors}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="×1 et ×10 seulement, 10 requêtes, 1 PDF")
    parser.add_argument("--requests", type=int, help="requêtes par page et par taille (40 par défaut)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--pages", nargs="+", metavar="PAGE", help="ces pages seulement (noms de bench_pages.py)")
    parser.add_argument("--no-pdf", action="store_true", help="sans le PDF du bilan ni son plancher")
    args = parser.parse_args()
    sizes = {"x1": 1, "x10": 10} if args.quick else {"x1": 1, "x10": 10, "x100": 100}
    requests = args.requests or (10 if args.quick else 40)
    pdf_runs = 0 if args.no_pdf else 1 if args.quick else 3
    started = time.perf_counter()
    results = {}
    for engine in args.databases:
        if engine == "postgresql" and not postgres_answers():
            continue
        results[engine] = bench(engine, sizes, requests, pdf_runs, args.pages)
    for engine, block in results.items():
        print(table(engine, block))
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nRésultats écrits dans {args.output} ({(time.perf_counter() - started) / 60:.1f} min).")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
