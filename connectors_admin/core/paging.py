"""Pages over large tables without counting every row: past `LIST_COUNT_CAP` rows the count is
said as "10,000+", any page number may be asked for, and whether there is a next page is found
by reading one row more than the page shows.

Two more savings: a first page that holds everything (as most searches do) is its own count, with
no COUNT query; and a deep page first reads only its rows' ids, which an index can give without
touching the table, then loads just those rows ("deferred join").

A list may also bring its own way of reading its first pages (`reader`): the connector search
does, because the planner's usual choice is slow for some searches (see filters.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Func, IntegerField, QuerySet, Subquery

MAX_OFFSET = 10**12
# From this offset on, a page's ids are read first and then its rows (see the module's text).
DEFERRED_JOIN_FROM = 500
# (rows, bottom, top, count) -> the rows from `bottom` to `top` in the list's order; `count()`
# is the paginator's own capped count, read once whoever asks first.
Reader = Callable[[Any, int, int, Callable[[], int]], list]


def count_label(count: int) -> str:
    """A count read up to `LIST_COUNT_CAP` (at most one row past it), as lists say it:
    "10,000+" past the cap."""
    cap = settings.LIST_COUNT_CAP
    return f"{cap:,}+" if count > cap else f"{count:,}"


def capped_count(rows: QuerySet) -> Func:
    """How many `rows` there are (a query of one column: ids, or distinct values), counted up
    to `LIST_COUNT_CAP` and one past it, as an expression a query selects or annotates: an index
    scan of at most that many entries however many rows match, and several such counts cost
    one query."""
    return Func(
        Subquery(rows.order_by()[: settings.LIST_COUNT_CAP + 1]),
        template="(SELECT COUNT(*) FROM %(expressions)s AS capped)",
        output_field=IntegerField(),
    )


class CappedPage(Page):
    more: bool = False

    def has_next(self) -> bool:
        return self.more if self.paginator.capped else super().has_next()


class CappedPaginator(Paginator):
    def __init__(self, *args, reader: Reader | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reader = reader
        if self.orphans:
            # A capped list does not know where it ends: no short last page to fold back.
            raise ValueError("CappedPaginator does not take orphans.")

    @property
    def cap(self) -> int:
        return settings.LIST_COUNT_CAP

    @cached_property
    def count(self) -> int:
        # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1): bounded work whatever the table holds.
        # Only the ids, without the joins a page's rows need.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return count_label(self.count)

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if (number - 1) * self.per_page > MAX_OFFSET:  # past any table, and past SQL's integers
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> CappedPage:
        if number in (1, "1") and "count" not in self.__dict__:
            rows = self._rows(0)
            if len(rows) <= self.per_page:
                self.__dict__["count"] = len(rows)  # all there is: no COUNT query
            return self._page_of(rows, 1)
        number = self.validate_number(number)
        return self._page_of(self._rows((number - 1) * self.per_page), number)

    def _page_of(self, rows: list, number: int) -> CappedPage:
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _rows(self, bottom: int) -> list:
        """The page's rows from `bottom`, and one more when there is one."""
        top = bottom + self.per_page + 1
        rows = self.object_list
        if self.reader is not None and bottom < DEFERRED_JOIN_FROM:
            return self.reader(rows, bottom, top, lambda: self.count)
        if bottom < DEFERRED_JOIN_FROM or not hasattr(rows, "values_list"):
            return list(rows[bottom:top])
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def get_page(self, number) -> CappedPage:
        try:
            return self.page(1 if number in (None, "") else number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages if not self.capped else 1)

    def _get_page(self, *args, **kwargs) -> CappedPage:
        return CappedPage(*args, **kwargs)
