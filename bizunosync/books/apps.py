from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "bizunosync.books"
    label = "books"
    verbose_name = "Books (Bizuno)"
