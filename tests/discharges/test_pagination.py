from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discharges.models import Kommun
from discharges.pagination import ScopePaginator, UncountedPage, count_with

pytestmark = pytest.mark.django_db


def test_an_uncounted_page_knows_its_neighbours_without_counting() -> None:
    kommuner = Kommun.objects.order_by("code")  # the 290 of migration 0002
    with CaptureQueriesContext(connection) as queries:
        page = UncountedPage(kommuner, "2", 50)
    assert len(queries) == 1  # one slice of 51 rows, no COUNT
    assert "COUNT" not in queries[0]["sql"].upper()
    assert [k.code for k in page.object_list] == [k.code for k in kommuner[50:100]]
    assert page.has_next() and page.has_previous()
    assert (page.previous_page_number(), page.next_page_number()) == (1, 3)
    last = UncountedPage(kommuner, 6, 50)  # 290 = 5 x 50 + 40
    assert len(last.object_list) == 40
    assert not last.has_next()
    assert UncountedPage(kommuner, "nonsense", 50).number == 1


def test_a_marked_list_is_counted_by_its_counter() -> None:
    kommuner = count_with(Kommun.objects.order_by("code"), lambda: 1234)
    assert ScopePaginator(kommuner, 50).count == 1234
    assert ScopePaginator(Kommun.objects.order_by("code"), 50).count == 290
