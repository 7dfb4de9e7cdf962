"""The console's small forms: a date for ship confirmation, a send mode for Product Upload."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ..jobs.product_upload import MODES


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker; value is always YYYY-MM-DD

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ShipDateForm(forms.Form):
    date = forms.DateField(
        label="Ship date",
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text="Orders shipped on this day are confirmed to the store.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD (the date picker does this for you)."},
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
