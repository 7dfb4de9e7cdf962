"""Decimals in the admin read as money: two places, more only when they carry something.

Prices are kept to 4 decimal places because Bizuno keeps them so, and every
other amount here is a DecimalField too; Django's admin shows each with all
its places ("6.9000", "125.7900", a weight of "0.2500"). The rule here: at
least 2 places, and the extra ones only when they are not zeros — 6.9000
reads 6.90, 9.9950 reads 9.995 (Bizuno's precision, kept where it is the
point), 125.79 stays 125.79. Nothing is rounded away, so what staff read is
what Bizuno has. Inputs follow the same rule and still accept 4 places.

Django has no setting for this: ``install()`` (called once from the admin's
AppConfig.ready, before the ModelAdmins are built) points the admin's two
display helpers at ``display_for_field`` below and gives DecimalFields the
``ReadableDecimalInput`` widget by default.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.admin import helpers, options
from django.contrib.admin import utils as admin_utils
from django.contrib.admin.templatetags import admin_list
from django.db import models
from django.utils import formats

from bizunosync.sync.numbers import is_measure
from bizunosync.sync.numbers import places as _places


def places(value: Decimal, field_name: str = "") -> int:
    """Places to show: money 2 or more when they carry digits; a quantity or measure only what it has."""
    return _places(value, 0 if is_measure(field_name) else 2)


def readable(value: Decimal, field_name: str = "") -> str:
    """A decimal as the admin shows it, grouped as the locale does: 1,234.50 / 9.995 / a quantity of 3."""
    if not value.is_finite():
        return str(value)
    return formats.number_format(value, places(value, field_name), force_grouping=True)


class ReadableDecimalInput(forms.NumberInput):
    """A number input that shows 6.90 rather than 6.9000 (the field still takes up to its decimal places)."""

    def get_context(self, name, value, attrs):
        self._field_name = name
        return super().get_context(name, value, attrs)

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return f"{value:.{places(value, getattr(self, '_field_name', ''))}f}"
        return super().format_value(value)


_django_display_for_field = admin_utils.display_for_field


def display_for_field(value, field, empty_value_display, avoid_link=False):
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal) and not field.flatchoices:
        return readable(value, field.name)
    return _django_display_for_field(value, field, empty_value_display, avoid_link)


def install() -> None:
    helpers.display_for_field = display_for_field  # read-only fields on change pages
    admin_list.display_for_field = display_for_field  # list columns
    options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DecimalField] = {"widget": ReadableDecimalInput}
