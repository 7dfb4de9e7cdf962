"""Admin lists that stay fast on a grown log: 300,000 jobs, 1,000,000 attempts, 100,000 orders.

Measured with bench/admin_lists.py, three things made the lists slow, none of them the page's
own query (which an index answers in a millisecond):

* the date hierarchy listed its years or months with ``SELECT DISTINCT trunc(created)`` over
  every row — on SQLite a Python function call per row (3 s at 300,000 jobs);
* the paginator counted every row on every page load (``COUNT(*)``, twice: the filtered count
  and the unfiltered total), a scan of the whole table on PostgreSQL;
* the job search joined every attempt (``attempts__error LIKE '%…%'``) and needed DISTINCT.

`ScaledListMixin` answers the first two: the hierarchy probes each candidate year, month or
day with an indexed ``EXISTS`` (a handful of index lookups), and the count is exact up to
COUNT_CAP rows; past it PostgreSQL's planner estimate is shown as "about N" (SQLite, whose
count is a cheap b-tree walk without MVCC visibility checks, still counts exactly).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.core.paginator import Paginator
from django.db import connections, models
from django.contrib import admin
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from django.utils.functional import cached_property

COUNT_CAP = 10_000
SEARCH_LIMIT = 1_000  # a search lists the newest this-many matches, found in one pass
MAX_PROBES = 400  # more candidate periods than this (decades of daily data): the plain DISTINCT query


class EstimatedCountPaginator(Paginator):
    """Counts up to COUNT_CAP rows exactly; beyond, PostgreSQL's row estimate (``estimated`` is then True)."""

    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, models.QuerySet):
            return super().count
        capped = queryset.order_by()[: COUNT_CAP + 1].count()
        if capped <= COUNT_CAP:
            return capped
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return queryset.count()
        self.estimated = True
        return max(planner_rows(queryset), capped)


def planner_rows(queryset) -> int:
    """The planner's row estimate for a queryset (EXPLAIN, nothing executed)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class ProbedDatesQuerySet(models.QuerySet):
    """``dates()``/``datetimes()`` for the admin's date hierarchy by indexed probes, not a scan.

    Same answer as Django's (the periods holding at least one row, truncated, in the current
    time zone, ascending): the first and last value come from MIN/MAX, then each period between
    them is kept if an ``EXISTS`` finds a row in it.
    """

    def aggregate(self, *args, **kwargs):
        """MIN and MAX of plain columns as ORDER BY … LIMIT 1 index reads (the date hierarchy asks both at once,
        and SQLite answers MIN and MAX together with a scan of the table)."""
        if args or not kwargs or not all(_plain_min_max(a) for a in kwargs.values()):
            return super().aggregate(*args, **kwargs)
        out = {}
        for name, agg in kwargs.items():
            field = agg.source_expressions[0].name
            present = self.filter(**{f"{field}__isnull": False}).values_list(field, flat=True)
            out[name] = present.order_by(field if isinstance(agg, Min) else f"-{field}").first()
        return out

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None, **kwargs):
        found = self._probed(field_name, kind, order, tzinfo, aware=True)
        return super().datetimes(field_name, kind, order, tzinfo, **kwargs) if found is None else found

    def dates(self, field_name, kind, order="ASC"):
        found = self._probed(field_name, kind, order, None, aware=False)
        return super().dates(field_name, kind, order) if found is None else found

    def _probed(self, field_name, kind, order, tzinfo, aware):
        if kind not in ("year", "month", "day") or "__" in field_name:
            return None
        # Two ORDER BY … LIMIT 1 reads of the index: SQLite scans the table for MIN and MAX in one query.
        present = self.filter(**{f"{field_name}__isnull": False}).values_list(field_name, flat=True)
        first = present.order_by(field_name).first()
        if first is None:
            return []
        last = present.order_by(f"-{field_name}").first()
        zone = (tzinfo or timezone.get_current_timezone()) if aware and timezone.is_aware(first) else None
        if zone is not None:
            first, last = timezone.localtime(first, zone), timezone.localtime(last, zone)
        periods = list(_periods(first, last, kind))
        if len(periods) > MAX_PROBES:
            return None
        found = []
        for start, end in periods:
            if not aware:
                lo, hi = start.date(), end.date()
            elif zone is not None:
                lo, hi = timezone.make_aware(start, zone), timezone.make_aware(end, zone)
            else:
                lo, hi = start, end
            # Ordered by the field, so the planner walks its index: a bare EXISTS may pick a heap scan
            # that reads the whole table before reaching an old period's rows.
            inside = self.filter(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi})
            if inside.order_by(field_name).values_list(field_name, flat=True)[:1]:
                found.append(lo)
        return found if order == "ASC" else found[::-1]


def _plain_min_max(agg) -> bool:
    expressions = getattr(agg, "source_expressions", [])
    return (type(agg) in (Min, Max) and agg.filter is None and len(expressions) == 1
            and isinstance(expressions[0], F) and "__" not in expressions[0].name)


def _periods(first, last, kind):
    """(start, end) naive local datetimes of each year/month/day from first's to last's."""
    start = datetime(first.year, 1 if kind == "year" else first.month, first.day if kind == "day" else 1)
    stop = datetime(last.year, last.month, last.day)
    while start <= stop:
        if kind == "year":
            end = start.replace(year=start.year + 1)
        elif kind == "month":
            end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        else:
            end = start + timedelta(days=1)
        yield start, end
        start = end


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """The "all values" filter, its values found by skipping through the column's index.

    Django's asks ``SELECT DISTINCT col`` (a scan of every row or index entry); this walks
    from one value to the next (``MIN(col) WHERE col > previous``), one index seek per
    distinct value — a dozen endpoints or payment titles in a million rows.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = distinct_values(model_admin.get_queryset(request).model, field.column)


def distinct_values(model, column: str, limit: int = 200) -> list:
    from django.db import connection

    quote = connection.ops.quote_name
    table, col = quote(model._meta.db_table), quote(column)
    sql = (f"WITH RECURSIVE walk(v, n) AS (SELECT MIN({col}), 1 FROM {table} UNION ALL "
           f"SELECT (SELECT MIN({col}) FROM {table} WHERE {col} > walk.v), n + 1 FROM walk "
           f"WHERE walk.v IS NOT NULL AND n < {int(limit)}) SELECT v FROM walk WHERE v IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class ScaledListMixin:
    """For a ModelAdmin whose table grows without bound (see the module docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False  # the unfiltered total is a second whole-table count
    # Columns the list never shows (big JSON): not read for the 50 rows of a list page.
    list_defer: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        queryset = ProbedDatesQuerySet(model=queryset.model, query=queryset.query.chain(), using=queryset._db)
        match = getattr(request, "resolver_match", None)
        if self.list_defer and match is not None and match.url_name and match.url_name.endswith("_changelist"):
            queryset = queryset.defer(*self.list_defer)
        return queryset

    def exact_search(self, term: str) -> Q | None:
        """A lookup on a unique or indexed column for what staff type (an order number, a PO): tried first."""
        return None

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = self.exact_search(term)
        if exact is not None:
            hits = queryset.filter(exact)
            if hits.exists():
                return hits, False
        # Words: Django's LIKE '%…%' over the search fields, run once for the newest matches;
        # the page, its count and the date hierarchy then read those rows by primary key.
        found, duplicates = super().get_search_results(request, queryset, search_term)
        ordering = self.get_ordering(request) or self.model._meta.ordering or ["-pk"]
        newest = found.order_by(*ordering, "-pk").values_list("pk", flat=True)[:SEARCH_LIMIT]
        return queryset.filter(pk__one_of=list(dict.fromkeys(newest))), False  # one array, not 1,000 literals
