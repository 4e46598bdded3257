"""The bilan annuel's PDF in `scripts/bench.py`: the whole production (data, HTML, WeasyPrint) at each
size, and WeasyPrint alone on the ×1 bilan's HTML, the floor that production cannot go under.

`scripts/bench_bilan_pdf.py` details the ×1 production further (data assembly, HTML, queries).
"""

import statistics
import time
from collections.abc import Callable

from ctg import pdf
from ctg.models import Convention
from reports.dates import campaign_year
from reports.models import AnnualReport
from reports.rendering import bilan_html


def campaign_report() -> AnnualReport:
    """The bilan being prepared in the current convention (the demo has it as a brouillon)."""
    convention = Convention.objects.current()
    year = min(max(campaign_year(), convention.years[0]), convention.years[-1])
    return AnnualReport.objects.get_or_create(convention=convention, year=year)[0]


def whole_pdf() -> pdf.Pdf:
    """What producing a version does: the bilan's data and HTML read afresh, then WeasyPrint."""
    report = AnnualReport.objects.select_related("convention").get(pk=campaign_report().pk)
    return pdf.render_pdf(bilan_html(report, standalone=True))


def weasyprint_alone(html: str) -> int:
    """The same WeasyPrint calls as `ctg.pdf.render_pdf`, without anything of ours around them."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf._fetcher()).render(
        font_config=FontConfiguration()
    )
    document.write_pdf()
    return len(document.pages)


def seconds(function: Callable) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def bilan_pdf(use: Callable[[str], None], sizes: list[str], runs: int) -> tuple[dict, float]:
    """Median seconds and pages of the PDF at each size, and the median of WeasyPrint alone on the first
    size's HTML; all taken in turn, run after run, after a warm-up (imports, fonts)."""
    use(sizes[0])
    html = bilan_html(campaign_report(), standalone=True)
    whole_pdf()
    times, pages, alone = {size: [] for size in sizes}, {}, []
    for _ in range(runs):
        for size in sizes:
            use(size)
            elapsed, document = seconds(whole_pdf)
            times[size].append(elapsed)
            pages[size] = document.page_count
        alone.append(seconds(lambda: weasyprint_alone(html))[0])
    results = {size: {"seconds": round(statistics.median(times[size]), 2), "pages": pages[size]} for size in sizes}
    return results, round(statistics.median(alone), 2)
