"""Room left in each PostgreSQL page for rows a Quick Refresh rewrites in place.

Every refresh rewrites every product's prices and stock, its tier prices and
the values last sent. Packed full (PostgreSQL's default, fillfactor 100), the
new version of a row lands on another page and each of the table's indexes
(nine on the product table) gets a new entry. With room on the page it stays
there as a heap-only tuple and no index is touched: a 1,000-product update
took 33 ms packed full, 22 ms at 70 (measured in one run; 24 at 80, 20 at 50).

Pages already full keep no room until their rows move: after a refresh or two
and a vacuum the rewritten rows sit on pages packed at the new fill.
``VACUUM FULL <table>`` does it at once (it locks the table while it runs).
SQLite has no such setting: nothing to do there.
"""

from django.db import migrations


def fillfactor(*tables: str, percent: int) -> migrations.RunPython:
    """A migration operation setting ``tables``' fillfactor on PostgreSQL (and resetting it on reverse)."""

    def apply(apps, schema_editor):
        _alter(schema_editor, tables, f"SET (fillfactor = {int(percent)})")

    def revert(apps, schema_editor):
        _alter(schema_editor, tables, "RESET (fillfactor)")

    return migrations.RunPython(apply, revert)


def _alter(schema_editor, tables, change):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} {change}")
