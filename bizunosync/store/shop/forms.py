"""Shopper forms. Quantities are checked here against the product's rules."""

from __future__ import annotations

from django import forms

from . import pricing

COUNTRIES = [
    ("US", "United States"), ("CA", "Canada"), ("GB", "United Kingdom"), ("IE", "Ireland"),
    ("DE", "Germany"), ("AT", "Austria"), ("CH", "Switzerland"), ("FR", "France"), ("BE", "Belgium"),
    ("NL", "Netherlands"), ("LU", "Luxembourg"), ("ES", "Spain"), ("PT", "Portugal"), ("IT", "Italy"),
    ("DK", "Denmark"), ("SE", "Sweden"), ("NO", "Norway"), ("FI", "Finland"), ("PL", "Poland"),
    ("CZ", "Czechia"), ("AU", "Australia"), ("NZ", "New Zealand"), ("JP", "Japan"), ("MX", "Mexico"),
]


class QuantityField(forms.IntegerField):
    """A quantity with plain-language errors (the default ones speak of 'whole numbers')."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", pricing.MAX_LINE_QTY)
        kwargs.setdefault("error_messages", {
            "required": "Please enter a quantity.",
            "invalid": "Please enter the quantity as a whole number, e.g. 1 or 12.",
            "min_value": "Please enter a quantity of at least %(limit_value)s.",
            "max_value": "Please enter a quantity of at most %(limit_value)s.",
        })
        super().__init__(**kwargs)


class AddToCartForm(forms.Form):
    quantity = QuantityField(label="Quantity", min_value=1)

    def __init__(self, *args, product, store, in_cart: int = 0, **kwargs):
        self.product, self.store, self.in_cart = product, store, in_cart
        super().__init__(*args, **kwargs)
        pack = pricing.pack_size(product)
        self.fields["quantity"].initial = pack
        self.fields["quantity"].widget.attrs.update({"min": pack, "step": pack, "inputmode": "numeric"})

    def clean_quantity(self):
        qty = self.cleaned_data["quantity"]
        # What matters is the line after adding: 12 in the cart + 12 more = 24.
        problem = pricing.quantity_problem(self.product, self.in_cart + qty, self.store)
        if problem:
            raise forms.ValidationError(problem)
        return qty


class CartLineForm(forms.Form):
    """One line's new quantity in the cart (0 removes the line)."""

    quantity = QuantityField(label="Quantity")

    def __init__(self, *args, product, store, **kwargs):
        self.product, self.store = product, store
        super().__init__(*args, **kwargs)

    def clean_quantity(self):
        qty = self.cleaned_data["quantity"]
        if qty:
            problem = pricing.quantity_problem(self.product, qty, self.store)
            if problem:
                raise forms.ValidationError(problem)
        return qty


def _text(label, max_length, required=True, **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.TextInput(attrs=attrs))


class AddressForm(forms.Form):
    first_name = _text("First name", 100, autocomplete="given-name")
    last_name = _text("Last name", 100, autocomplete="family-name")
    company = _text("Company (optional)", 200, required=False, autocomplete="organization")
    address_1 = _text("Street address", 255, autocomplete="address-line1")
    address_2 = _text("Apartment, suite, unit (optional)", 255, required=False, autocomplete="address-line2")
    city = _text("Town / City", 100, autocomplete="address-level2")
    state = _text("State / County (optional)", 100, required=False, autocomplete="address-level1")
    postcode = forms.CharField(
        label="Postcode / ZIP", max_length=20,
        error_messages={"required": "Please enter a postcode: we need it to find shipping rates."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    country = forms.ChoiceField(label="Country", choices=COUNTRIES, initial="US",
                                widget=forms.Select(attrs={"autocomplete": "country"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip()
        return data


class BillingForm(AddressForm):
    email = forms.EmailField(label="Email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = _text("Phone (optional)", 50, required=False, autocomplete="tel", type="tel")
    ship_elsewhere = forms.BooleanField(label="Ship to a different address?", required=False)
    note = forms.CharField(
        label="Order notes (optional)", max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Notes about your order, e.g. delivery instructions."}),
    )

    field_order = ["email", "first_name", "last_name", "company", "address_1", "address_2", "city", "state",
                   "postcode", "country", "phone", "ship_elsewhere", "note"]


class ShippingForm(AddressForm):
    """The shipping address, used only when "Ship to a different address?" is ticked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "shipping")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "shipping " + field.widget.attrs.get("autocomplete", "")
