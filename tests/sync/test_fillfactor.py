"""On PostgreSQL the tables every Quick Refresh rewrites leave room on each page (sync.fillfactor)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting; SQLite has none"),
]


def reloptions(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0] or []


@pytest.mark.parametrize("table", ["store_product", "store_pricetier", "books_lastpushed"])
def test_a_refreshed_table_keeps_30_percent_of_each_page_free_for_rows_rewritten_in_place(table):
    assert "fillfactor=70" in reloptions(table)


def test_tables_a_refresh_does_not_rewrite_stay_packed_full():
    assert not any(option.startswith("fillfactor") for option in reloptions("store_order"))
