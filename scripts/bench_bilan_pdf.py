"""Measure the demo's bilan annuel PDF: data assembly (SQL queries, time), the whole render against WeasyPrint
alone on the same HTML, and the page count. Median of 5 runs, after one warm-up run.

Loads the demo (`seed_demo`) into a fresh temporary SQLite database, so it never touches yours.
Usage: .venv/bin/python scripts/bench_bilan_pdf.py [--runs 5] [--output /tmp/bilan-demo.pdf]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORKDIR = Path(tempfile.mkdtemp(prefix="bench-bilan-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ctg.settings.dev"
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORKDIR / "media")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ctg import pdf  # noqa: E402
from reports.bilan import bilan_context  # noqa: E402
from reports.models import AnnualReport  # noqa: E402
from reports.rendering import bilan_html  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pdf import campaign_report, weasyprint_alone  # noqa: E402


@dataclass(frozen=True)
class Timing:
    median: float
    best: float
    result: object


def measured(timings: list[float], result) -> Timing:
    return Timing(statistics.median(timings), min(timings), result)


def timed(function, runs: int) -> Timing:
    function()  # warm-up: imports, fonts, template cache
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return measured(timings, result)


def interleaved(first, second, runs: int) -> tuple[Timing, Timing]:
    """Both measures taken turn by turn, so that a load on the machine weighs on both alike."""
    first(), second()
    timings, results = ([], []), [None, None]
    for _ in range(runs):
        for index, function in enumerate((first, second)):
            start = time.perf_counter()
            results[index] = function()
            timings[index].append(time.perf_counter() - start)
    return measured(timings[0], results[0]), measured(timings[1], results[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", default="/tmp/bilan-demo.pdf")
    args = parser.parse_args()

    print(f"Base temporaire (effacée à la fin) : {WORKDIR}")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    report = campaign_report()
    progress = next(section for section in bilan_context(report)["sections"] if section.key == "progress")
    actions = sum(len(item.actions) for item in progress.data["axes"])

    def assemble():
        fresh = AnnualReport.objects.get(pk=report.pk)
        with CaptureQueriesContext(connection) as queries:
            bilan_context(fresh)
        return len(queries)

    def html_queries():
        fresh = AnnualReport.objects.get(pk=report.pk)
        with CaptureQueriesContext(connection) as queries:
            html = bilan_html(fresh, standalone=True)
        return len(queries), html

    def full_pdf():
        fresh = AnnualReport.objects.get(pk=report.pk)
        return pdf.render_pdf(bilan_html(fresh, standalone=True))

    assembly = timed(assemble, args.runs)
    document_html = timed(html_queries, args.runs)
    document_queries, html = document_html.result
    full, alone = interleaved(full_pdf, lambda: weasyprint_alone(html), args.runs)
    document = full.result
    Path(args.output).write_bytes(document.content)

    print(f"Bilan {report.year} de « {report.convention} » : {actions} fiches actions, {len(html) // 1024} Ko de HTML")
    print(f"{args.runs} mesures par ligne : médiane (meilleure)")
    print(f"{'mesure':<42} {'requêtes':>9} {'secondes':>17} {'pages':>6}")
    rows = [
        ("assemblage des données (bilan_context)", assembly.result, assembly, ""),
        ("HTML complet (bilan_html)", document_queries, document_html, ""),
        ("PDF complet (render_pdf(bilan_html(…)))", "", full, document.page_count),
        ("WeasyPrint seul, même HTML", "", alone, alone.result),
    ]
    for label, queries, timing, pages in rows:
        print(f"{label:<42} {queries:>9} {timing.median:>8.3f} ({timing.best:.3f}) {pages:>6}")
    ratio, best_ratio = full.median / alone.median, full.best / alone.best
    verdict = "OK" if full.median < 5 and ratio <= 1.2 else "HORS CIBLE"
    print(f"complet / WeasyPrint seul : {ratio:.2f} en médiane, {best_ratio:.2f} au mieux", end=" ")
    print(f"(cible < 5 s et ≤ 1,2) – {verdict}")
    print(f"PDF écrit dans {args.output} ({len(document.content) // 1024} Ko)")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
