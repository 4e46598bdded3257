"""The page links of a paginated list (`_pagination.html`)."""

from django import template
from django.core.paginator import Page

register = template.Library()

AROUND = 2  # links on each side of the current page


@register.filter
def page_window(page: Page) -> list[int]:
    """The numbers of the pages linked: the first, the last and `AROUND` on each side of the current one,
    found without walking every page (a plan of 4,000 indicators has 400 of them)."""
    last = page.paginator.num_pages
    near = range(max(1, page.number - AROUND), min(last, page.number + AROUND) + 1)
    return sorted({1, *near, last})
