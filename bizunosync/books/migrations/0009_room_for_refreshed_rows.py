from django.db import migrations

from bizunosync.sync.fillfactor import fillfactor


class Migration(migrations.Migration):
    """The values last sent to a store are rewritten by every Quick Refresh: leave room for that on each page."""

    dependencies = [("books", "0008_last_pushed_store_index_is_the_unique_one")]

    operations = [fillfactor("books_lastpushed", percent=70)]
