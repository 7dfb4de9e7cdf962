"""`orderAdd`: one store order posted to Bizuno's portal (PROTOCOL §3.2).

Field names and fallbacks follow the plugin's ``mapOrder`` and Bizuno's
``mapPost`` (phreesoft/bizuno-api lib/order.php): Billing carries
``CustomerID``, Shipping does not; Shipping's ``Email`` is always billing's;
each empty shipping field falls back to the billing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field as dc_field, fields as dc_fields, replace
from decimal import Decimal

from . import fields
from .fields import FieldError

# A real plugin cannot post more than ~160 lines (PHP's 1000-variable limit),
# but a JSON body can: book big orders whole, refuse only the absurd.
MAX_LINES = 5000
AUTHORIZED_STATUSES = frozenset({"auth", "authorize", "on-hold", "processing"})

# wire name -> Address attribute, in the order the plugin sends them
ADDRESS_FIELDS = (
    ("PrimaryName", "primary_name", 128),
    ("Contact", "contact", 128),
    ("Address1", "address1", 128),
    ("Address2", "address2", 128),
    ("City", "city", 64),
    ("State", "state", 64),
    ("PostalCode", "postal_code", 32),
    ("Country", "country", 64),
    ("Telephone", "telephone", 64),
    ("Email", "email", 254),
)


class OrderAddInvalid(ValueError):
    """Every unreadable field of an order, not just the first."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Address:
    primary_name: str = ""
    contact: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    telephone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    sales_tax: Decimal = Decimal(0)
    total: Decimal = Decimal(0)


@dataclass
class OrderAdd:
    po: str
    order_date: dt.date
    total: Decimal
    sales_tax: Decimal = Decimal(0)
    shipping_total: Decimal = Decimal(0)
    shipping_carrier: str = ""
    notes: str = ""
    payment_method: str = ""
    payment_title: str = ""
    payment_status: str = ""
    transaction_id: str = ""
    customer_id: str = "0"
    billing: Address = dc_field(default_factory=Address)
    shipping: Address = dc_field(default_factory=Address)
    lines: list[Line] = dc_field(default_factory=list)


def is_authorized(payment_status: str | None) -> bool:
    """Bizuno records these as authorized (to capture later); anything else as captured."""
    return (payment_status or "").strip().lower() in AUTHORIZED_STATUSES


def with_shipping_fallback(billing: Address, shipping: Address) -> Address:
    """The ship-to as Bizuno receives it: empty fields filled from billing, one by one.

    Email is always billing's (the store keeps no shipping email). The plugin
    falls back for the address lines, city, state, postcode, country and
    phone; we extend that to the name pair, but only as a pair: a shipping
    address with no name at all takes billing's name and contact, while a
    named ship-to keeps its own (empty) contact rather than borrowing
    billing's, which would pair one person's name with another's company.
    """
    values = {}
    for f in dc_fields(Address):
        mine = getattr(shipping, f.name) or ""
        values[f.name] = mine if mine.strip() else getattr(billing, f.name)
    if (shipping.primary_name or "").strip():
        values["primary_name"] = shipping.primary_name
        values["contact"] = shipping.contact or ""
    else:
        values["primary_name"] = billing.primary_name
        values["contact"] = billing.contact
    values["email"] = billing.email
    return replace(shipping, **values)


def name_and_contact(company: str, full_name: str) -> tuple[str, str]:
    """The plugin's PrimaryName/Contact rule: company first, else the person."""
    company, full_name = (company or "").strip(), (full_name or "").strip()
    return (company, full_name) if company else (full_name, "")


# ---------------------------------------------------------------- reading


class _Collector:
    def __init__(self):
        self.errors: list[FieldError] = []

    def __call__(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FieldError as exc:
            self.errors.append(exc)
            return None


def _date(value, field: str) -> dt.date | None:
    text = fields.text(value, field, max_length=32, required=True)
    try:
        # "2026-11-27" or a datetime whose first 10 characters are the date,
        # as the plugin itself sends substr($order->get_date_created(), 0, 10)
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise FieldError(field, f"must be a date as YYYY-MM-DD, got {text[:20]!r}") from None


def _text(value, field: str, *, multiline: bool = False, **kw):
    """fields.text, refusing control characters (a NUL in a name breaks PDFs and exports downstream).

    Only the order note may carry line breaks and tabs, as a customer types them.
    """
    out = fields.text(value, field, **kw)
    if out:
        probe = out.replace("\r", "").replace("\n", "").replace("\t", "") if multiline else out
        if not probe.isprintable():
            raise FieldError(field, "contains control characters")
    return out


def _country(value, field: str):
    """An ISO 3166 code as WooCommerce sends it (two letters; Bizuno itself stores three), or empty."""
    code = (_text(value, field, max_length=64, default="") or "").strip()
    if code and not (2 <= len(code) <= 3 and code.isascii() and code.isalpha()):
        raise FieldError(field, f"must be a two- or three-letter country code, got {code[:20]!r}")
    return code


def _address(raw, group: str, check: _Collector) -> Address:
    raw = check(fields.mapping, raw, group) or {}
    values = {}
    for wire, attr, limit in ADDRESS_FIELDS:
        if wire == "Country":
            values[attr] = check(_country, raw.get(wire), f"{group}.{wire}") or ""
        else:
            values[attr] = check(_text, raw.get(wire), f"{group}.{wire}", max_length=limit, default="") or ""
    return Address(**values)


def _line(raw, index: int, check: _Collector) -> Line | None:
    base = f"Item[{index}]"
    raw = check(fields.mapping, raw, base, required=True)
    if raw is None:
        return None
    before = len(check.errors)
    sku = check(_text, raw.get("ItemID"), f"{base}.ItemID", max_length=fields.MAX_SKU, default="")
    description = check(_text, raw.get("Description"), f"{base}.Description", max_length=255, default="")
    quantity = check(fields.decimal, raw.get("Quantity"), f"{base}.Quantity", required=True, minimum=Decimal("0.0001"))
    # Refunds and discounts can make a line negative in WooCommerce; Bizuno books them as sent.
    unit = check(fields.decimal, raw.get("UnitPrice"), f"{base}.UnitPrice", minimum=-fields.MAX_MONEY, places=6)
    tax = check(fields.decimal, raw.get("SalesTaxAmount"), f"{base}.SalesTaxAmount", minimum=-fields.MAX_MONEY)
    total = check(fields.decimal, raw.get("TotalPrice"), f"{base}.TotalPrice", required=True, minimum=-fields.MAX_MONEY)
    if len(check.errors) > before:
        return None
    return Line(sku or "", description or "", quantity, unit if unit is not None else Decimal(0),
                tax if tax is not None else Decimal(0), total)


def read(form) -> OrderAdd:
    """An order from Bizuno's side of the wire; raises OrderAddInvalid naming every bad field."""
    check = _Collector()
    if fields.depth(form, 8) > 8:
        raise OrderAddInvalid([FieldError("form", "is nested too deeply")])
    form = check(fields.mapping, form, "form", required=True) or {}
    general = check(fields.mapping, form.get("General"), "General", required=True) or {}
    payment = check(fields.mapping, form.get("Payment"), "Payment") or {}
    billing_raw = check(fields.mapping, form.get("Billing"), "Billing", required=True) or {}

    po = check(_text, general.get("PurchaseOrderID"), "General.PurchaseOrderID", max_length=64, required=True)
    order_date = check(_date, general.get("OrderDate"), "General.OrderDate")
    total = check(fields.decimal, general.get("OrderTotal"), "General.OrderTotal", required=True)
    tax = check(fields.decimal, general.get("SalesTaxAmount"), "General.SalesTaxAmount")
    shipping_total = check(fields.decimal, general.get("ShippingTotal"), "General.ShippingTotal")
    carrier = check(_text, general.get("ShippingCarrier"), "General.ShippingCarrier", max_length=128, default="")
    notes = check(_text, general.get("OrderNotes"), "General.OrderNotes", max_length=5000, default="", multiline=True)

    method = check(_text, payment.get("Method"), "Payment.Method", max_length=64, default="")
    title = check(_text, payment.get("Title"), "Payment.Title", max_length=128, default="")
    status = check(_text, payment.get("Status"), "Payment.Status", max_length=32, default="")
    txid = check(_text, payment.get("TransactionID"), "Payment.TransactionID", max_length=128, default="")

    customer_id = check(_text, billing_raw.get("CustomerID"), "Billing.CustomerID", max_length=64, default="0")
    billing = _address(billing_raw, "Billing", check)
    if not billing.email and not any(e.field == "Billing.Email" for e in check.errors):
        # Bizuno finds the customer by billing email: without one it cannot book the order
        check.errors.append(FieldError("Billing.Email", "is required"))
    shipping = _address(form.get("Shipping"), "Shipping", check)

    rows = check(fields.listing, form.get("Item"), "Item", max_items=MAX_LINES, required=True) or []
    lines = [line for i, raw in enumerate(rows) if (line := _line(raw, i, check)) is not None]

    if check.errors:
        raise OrderAddInvalid(check.errors)
    return OrderAdd(
        po=po, order_date=order_date, total=total,
        sales_tax=tax if tax is not None else Decimal(0),
        shipping_total=shipping_total if shipping_total is not None else Decimal(0),
        shipping_carrier=carrier, notes=notes,
        payment_method=method, payment_title=title, payment_status=status, transaction_id=txid,
        customer_id=customer_id, billing=billing, shipping=with_shipping_fallback(billing, shipping), lines=lines,
    )


# ---------------------------------------------------------------- building


def _num(value: Decimal | int | None) -> str:
    # Decimals go out as held ("21.00", as WooCommerce's get_total() prints a
    # 2-place store); whoever builds the Line decides unit-price precision.
    if value is None:
        return "0"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _address_out(address: Address, *, with_customer: str | None = None) -> dict:
    out = {}
    if with_customer is not None:
        out["CustomerID"] = with_customer
    for wire, attr, _ in ADDRESS_FIELDS:
        out[wire] = getattr(address, attr) or ""
    return out


def build(o: OrderAdd) -> dict:
    """The body the plugin's ``mapOrder`` posts, ready for phpform.encode().

    Empty strings are kept (http_build_query sends ``Billing[Address2]=``);
    only None would vanish, and we never send None.
    """
    shipping = with_shipping_fallback(o.billing, o.shipping)
    return {
        "General": {
            "PurchaseOrderID": o.po,
            "OrderDate": o.order_date.isoformat(),
            "OrderTotal": _num(o.total),
            "SalesTaxAmount": _num(o.sales_tax),
            "ShippingTotal": _num(o.shipping_total),
            "ShippingCarrier": o.shipping_carrier or "",
            "OrderNotes": o.notes or "",
        },
        "Payment": {
            "Method": o.payment_method or "",
            "Title": o.payment_title or "",
            "Status": o.payment_status or "",
            "TransactionID": o.transaction_id or "",
        },
        "Billing": _address_out(o.billing, with_customer=str(o.customer_id)),
        "Shipping": _address_out(shipping),
        "Item": [
            {
                "ItemID": line.sku,
                "Description": line.description,
                "Quantity": _num(line.quantity),
                "UnitPrice": _num(line.unit_price),
                "SalesTaxAmount": _num(line.sales_tax),
                "TotalPrice": _num(line.total),
            }
            for line in o.lines
        ],
    }
