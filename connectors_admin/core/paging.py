"""Pages over large tables without counting every row: past `LIST_COUNT_CAP` rows the count is
said as "10,000+", any page number may be asked for, and whether there is a next page is found
by reading one row more than the page shows."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

MAX_OFFSET = 10**12


class CappedPage(Page):
    more: bool = False

    def has_next(self) -> bool:
        return self.more if self.paginator.capped else super().has_next()


class CappedPaginator(Paginator):
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
        return f"{self.cap:,}+" if self.capped else f"{self.count:,}"

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
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def get_page(self, number) -> CappedPage:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages if not self.capped else 1)

    def _get_page(self, *args, **kwargs) -> CappedPage:
        return CappedPage(*args, **kwargs)
