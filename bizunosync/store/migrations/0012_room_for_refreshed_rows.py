from django.db import migrations

from bizunosync.sync.fillfactor import fillfactor


class Migration(migrations.Migration):
    """Products and their tiers are rewritten by every Quick Refresh: leave room for that on each page."""

    dependencies = [("store", "0011_rate_quote_log")]

    operations = [fillfactor("store_product", "store_pricetier", percent=70)]
