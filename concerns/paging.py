"""Long lists shown a page at a time (issue 18, items 10 and 12; issue 12, item 5): the queue's acknowledged
concerns, a person's receipts and the notes shared with them. Django's Paginator, with previous and next links that
keep the page's other query parameters (the queue's filters, the other list's page), so nothing is cut off without
the page saying how much there is."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

QUEUE_PAGE_SIZE = 50  # acknowledged concerns a page; the waiting ones are all shown above them
RECEIPTS_PAGE_SIZE = 25  # a person's own receipts on My concerns
STAFF_NOTES_PAGE_SIZE = 10  # the notes shared with a person, above their receipts on My concerns


def paginate(request, object_list, *, per_page: int, param: str = "page", count: int | None = None) -> dict:
    """The page asked for by `?page=` (or `param`, for a second list on the same page): the last page when it is
    past the end, the first when it is not a number; with the links to the pages either side: what
    templates/concerns/_pager.html shows. `count`, when the caller already knows how many there are, saves
    counting them again."""
    paginator = Paginator(object_list, per_page) if count is None else _CountedPaginator(object_list, per_page, count)
    page = paginator.get_page(request.GET.get(param))
    return {
        "page": page,
        "previous_url": _link(request, param, page.previous_page_number()) if page.has_previous() else "",
        "next_url": _link(request, param, page.next_page_number()) if page.has_next() else "",
    }


class _CountedPaginator(Paginator):
    """A Paginator told how many there are (Django's counts them with a query of its own)."""

    def __init__(self, object_list, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


def _link(request, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"{request.path}?{query.urlencode()}"
