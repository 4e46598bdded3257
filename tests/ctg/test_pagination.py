"""The page links: the first, the last and two on each side of the current page, whatever the number of pages."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from ctg.templatetags.pagination import page_window


def page(number: int, pages: int):
    return Paginator(range(pages * 10), 10).get_page(number)


@pytest.mark.parametrize(
    ("number", "pages", "linked"),
    [
        (1, 1, [1]),
        (1, 7, [1, 2, 3, 7]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),
        (7, 7, [1, 5, 6, 7]),
        (200, 400, [1, 198, 199, 200, 201, 202, 400]),
    ],
)
def test_the_window_of_page_numbers(number, pages, linked):
    assert page_window(page(number, pages)) == linked


def test_the_links_carry_the_query_and_the_anchor():
    html = render_to_string(
        "_pagination.html", {"page": page(200, 400), "query": "axe=3", "label": "Pages", "target": "", "anchor": "#a"}
    )
    assert html.count("<li>") == 9  # previous, 1, 198–202 (the current one not linked), 400, next
    assert '<li><span aria-current="page">200</span></li>' in html
    assert '<a href="?axe=3&amp;page=400#a">400</a>' in html and "page=197" not in html
    assert '<a href="?axe=3&amp;page=199#a">Précédente</a>' in html
