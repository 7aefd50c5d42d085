"""The list pages' paginator: counts no rows it can tell without a COUNT.

Kernel: imports Django only.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


class ListPaginator(Paginator):
    """A Paginator that is told how many rows there are when the caller knows them
    (`count`), and otherwise reads the first page before counting: a list that fits on one
    page, as most bureaus' lists do, is counted from the rows it shows. Only a longer list
    costs a COUNT, and its first page is not read twice."""

    def __init__(self, *args, count: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        if self.known_count is None:
            return super().count
        return self.known_count

    def page(self, number) -> Page:
        if (
            str(number) != "1"
            or "count" in self.__dict__
            or self.orphans
            or not self.allow_empty_first_page
        ):
            return super().page(number)
        # One row more than a page tells whether there is a second page.
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)
        return self._get_page(rows[: self.per_page], 1, self)
