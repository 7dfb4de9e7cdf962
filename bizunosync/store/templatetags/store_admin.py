"""The store's line on the admin index: shipping rates at checkout."""

from django import template
from django.db import DatabaseError

from ..rates.quote_log import condition

register = template.Library()


@register.simple_tag
def rates_condition() -> str:
    """"Rates: Bizuno unreachable for 12 of the last 15 quotes (since 14:02); …", or "" when fine."""
    try:
        return condition()
    except DatabaseError:  # before migrate
        return ""
