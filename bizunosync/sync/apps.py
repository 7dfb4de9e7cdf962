from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SyncConfig(AppConfig):
    name = "bizunosync.sync"
    label = "sync"
    verbose_name = "Sync log"

    def ready(self):
        from . import rows  # noqa: F401  registers the field__one_of lookup
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="bizunosync.create_cache_tables")


def create_cache_tables(sender, using="default", **kwargs):
    """Every `migrate` makes sure the database cache's table exists (the default cache, see settings).

    ``createcachetable`` skips tables that exist and caches that are not database caches
    (CACHE_URL=redis://…), so a site never has to remember to run it.
    """
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
