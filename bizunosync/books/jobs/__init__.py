"""The console's jobs: one module per job, each a plain service plus a @runner.

Importing this package registers the runners with ``bizunosync.sync.jobs``;
``bizunosync.books.console.admin`` imports it, and the admin is loaded in
every process Django starts (web, db_worker, manage.py), so a worker always
knows how to run a console job.
"""

from . import cart_sync, product_upload, quick_refresh, ship_confirm  # noqa: F401
