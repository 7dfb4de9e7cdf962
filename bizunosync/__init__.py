"""bizunosync: both ends of the bizuno-api wire, in one Django project."""

__version__ = "0.1.0"
