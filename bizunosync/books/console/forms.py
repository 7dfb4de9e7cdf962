"""The console's small forms: a date for ship confirmation, a send mode for Product Upload."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import timezone

from ..jobs.product_upload import MODES


class DateInput(AdminDateWidget):
    """The admin's own date field and calendar, showing YYYY-MM-DD.

    The browser's ``type=date`` picker shows the date in the browser's locale
    (12/02/2026 on an American Chromium) while every other date here reads
    2026-12-02: one format everywhere.
    """

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    @property
    def media(self):
        return forms.Media(js=["admin/js/core.js", *super().media._js])


class ShipDateForm(forms.Form):
    date = forms.DateField(
        label="Ship date",
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text="Orders shipped on this day are confirmed to the store.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD (the calendar beside the field does this for you)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate


class UploadForm(forms.Form):
    mode = forms.TypedChoiceField(
        label="What to send",
        choices=sorted(MODES.items()),
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
    )


class PrefixUploadForm(UploadForm):
    sku_prefix = forms.CharField(
        label="SKU starts with",
        required=False,
        max_length=64,
        help_text="Leave blank to upload every item flagged “sync to store”.",
    )
