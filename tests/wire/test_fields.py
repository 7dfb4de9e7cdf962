from decimal import Decimal

import pytest

from bizunosync.wire import fields
from bizunosync.wire.fields import FieldError


def problem(fn, *args, **kwargs) -> FieldError:
    with pytest.raises(FieldError) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_a_number_arrives_as_a_string_and_leaves_as_a_decimal():
    assert fields.decimal("9.50", "Price") == Decimal("9.50")
    assert fields.decimal(" 12 ", "Price") == Decimal("12")


def test_an_empty_string_is_not_zero_but_not_given():
    assert fields.decimal("", "Price") is None
    assert fields.integer("", "QtyStock") is None
    assert fields.text("", "Description") is None


@pytest.mark.parametrize(
    ("call", "field", "words"),
    [
        (lambda: fields.decimal("abc", "data[3].Price"), "data[3].Price", "must be a number"),
        (lambda: fields.decimal("-1", "data[0].PriceTiers[1].price"), "data[0].PriceTiers[1].price", "at least 0"),
        (lambda: fields.decimal("NaN", "Weight"), "Weight", "finite"),
        (lambda: fields.decimal("1e12", "OrderTotal"), "OrderTotal", "at most"),
        (lambda: fields.decimal(["1"], "Price"), "Price", "must be a number"),
        (lambda: fields.decimal("", "OrderTotal", required=True), "OrderTotal", "required"),
        (lambda: fields.integer("12.5", "Item[2].Quantity"), "Item[2].Quantity", "whole number"),
        (lambda: fields.integer("0", "PriceTiers[0].qty", minimum=1), "PriceTiers[0].qty", "at least 1"),
        (lambda: fields.text("x" * 300, "Description"), "Description", "too long"),
        (lambda: fields.text({"a": "b"}, "Description"), "Description", "not an object"),
        (lambda: fields.flag("maybe", "syncDelete"), "syncDelete", "1 or 0"),
        (lambda: fields.sku("A" * 65, "data[0].SKU"), "data[0].SKU", "too long"),
        (lambda: fields.sku("A\x00B", "SKU"), "SKU", "control or invisible characters"),
        (lambda: fields.sku("  ", "SKU"), "SKU", "required"),
        (lambda: fields.listing("abc", "data"), "data", "must be a list"),
        (lambda: fields.listing(["x"] * 11, "Item", max_items=10), "Item", "too many"),
        (lambda: fields.mapping("abc", "Billing"), "Billing", "group of fields"),
        (lambda: fields.shallow({"a": [[[["x"]]]]}, "data", limit=3), "data", "nested too deeply"),
    ],
)
def test_each_error_names_its_field_and_says_what_is_wrong(call, field, words):
    error = problem(call)
    assert error.field == field
    assert words in error.problem
    assert str(error).startswith(f"{field}: ")


def test_an_integer_accepts_phps_twelve_point_zero():
    assert fields.integer("12.0", "QtyStock") == 12


def test_flags_read_the_usual_spellings():
    assert fields.flag("1", "f") is True and fields.flag("on", "f") is True
    assert fields.flag("0", "f") is False and fields.flag("", "f", default=True) is True


def test_a_php_list_arrives_as_a_map_and_is_read_in_order():
    assert fields.listing({"0": "a", "1": "b"}, "x") == ["a", "b"]
    assert fields.listing(None, "x") == []


def test_depth_counts_nesting_without_recursion():
    deep = "leaf"
    for _ in range(5000):
        deep = [deep]
    assert fields.depth(deep, limit=10) > 10
    assert fields.depth({"a": {"b": "c"}}) == 2


def test_a_sku_is_trimmed():
    assert fields.sku("  AB-100 ", "SKU") == "AB-100"


@pytest.mark.parametrize("raw", ["1_000", "١٢", "１２", "12 5", "0x10"])
def test_a_number_php_would_not_read_as_that_number_is_refused(raw):
    with pytest.raises(fields.FieldError, match="ASCII digits|must be a number"):
        fields.decimal(raw, "Price")


def test_numbers_with_the_spaces_php_trims_are_read():
    assert fields.decimal(" 12.50\n", "Price") == Decimal("12.50")
    assert fields.integer("\t7 ", "QtyStock") == 7


def test_a_sku_with_a_no_break_space_is_refused_not_silently_merged_with_another():
    # PHP's trim() keeps the no-break space, so "A\xa0" is not "A" to the plugin.
    with pytest.raises(fields.FieldError, match="invisible"):
        fields.sku("A\xa0", "SKU")
    assert fields.sku("  A  ", "SKU") == "A"
