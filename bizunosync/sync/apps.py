from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "bizunosync.sync"
    label = "sync"
    verbose_name = "Sync log"
