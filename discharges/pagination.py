"""Pagination for scoped lists: the unfiltered list is counted on the grant index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


def count_with(queryset: QuerySet[Any], counter: Callable[[], int]) -> QuerySet[Any]:
    """Mark ``queryset`` to be counted by ``counter`` (it must count the same rows)."""
    queryset.scope_count = counter  # type: ignore[attr-defined]
    return queryset


class ScopePaginator(Paginator):
    """Uses the queryset's ``scope_count`` when marked: a COUNT(*) over a scoped list of a
    large kommun costs 65-200 ms at national scale, the grant index 4-14 ms (bench/)."""

    @cached_property
    def count(self) -> int:
        counter = getattr(self.object_list, "scope_count", None)
        return counter() if counter is not None else super().count


# The last page a list may have: 1,000,000 rows at 50 a page (the national scale, bench/).
MAX_PAGE = 20_000


class UncountedPage:
    """A page of a list that is not counted: "next" is known from one row more than the page.

    For filtered lists of large scopes, whose COUNT(*) costs 200-400 ms at national scale.
    """

    def __init__(self, queryset: QuerySet[Any], number: Any, per_page: int) -> None:
        try:
            self.number = max(int(number), 1)
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        # A page past MAX_PAGE is past the end of any list, and its offset past what the
        # database takes: it is empty without asking.
        rows = list(queryset[start : start + per_page + 1]) if self.number <= MAX_PAGE else []
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page
        self.paginator = None  # no page count

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class ScopePagination(PageNumberPagination):
    django_paginator_class = ScopePaginator
