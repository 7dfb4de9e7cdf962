from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "bizunosync.books"
    label = "books"
    verbose_name = "Books (Bizuno)"

    def ready(self):
        # Web server, worker and commands all need the console's job runners.
        from . import jobs  # noqa: F401
