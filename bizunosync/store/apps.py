from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "bizunosync.store"
    label = "store"
    verbose_name = "Store"
