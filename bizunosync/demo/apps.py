from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: both sides seeded and wired to each other over loopback HTTP.

    Its own app because it is the one place allowed to know both sides: the
    store and the books never import each other.
    """

    name = "bizunosync.demo"
    label = "demo"
