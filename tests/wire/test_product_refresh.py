from decimal import Decimal

import pytest

from bizunosync.wire import phpform
from bizunosync.wire import product_refresh as pr
from bizunosync.wire.fields import FieldError
from tests.phpcli import needs_php, run_php

# What Bizuno's Quick Refresh puts in `data` (its setPriceLevels): prices as
# numbers, SalePrice '' when there is no sale, PriceTiers only when tiered.
BIZUNO_BATCH_PHP = """
echo http_build_query(['data' => [
  ['SKU'=>'AB-100','QtyStock'=>12,'Weight'=>'1.5','Type'=>'si','FullPrice'=>'12.00','Price'=>10,'RegularPrice'=>10,
   'SalePrice'=>'','PriceTiers'=>[['qty'=>'10','price'=>9.5],['qty'=>'1','price'=>10.0]]],
  ['SKU'=>'CD-200','QtyStock'=>-3,'Weight'=>'0','Type'=>'si','FullPrice'=>'5','Price'=>4.25,'RegularPrice'=>4.25,
   'SalePrice'=>'3.99'],
]]);
"""


def read_body(body: str):
    return pr.read_batch(phpform.decode(body)["data"])


@needs_php
@pytest.mark.php
def test_it_reads_a_batch_exactly_as_bizuno_sends_it():
    items, errors = read_body(run_php(BIZUNO_BATCH_PHP).decode())
    assert errors == []
    first, second = items
    assert first.sku == "AB-100" and first.qty_stock == 12 and first.weight == Decimal("1.5")
    assert first.price == Decimal("10") and first.sale_price is pr.CLEAR
    assert first.tiers == [pr.Tier(1, Decimal("10")), pr.Tier(10, Decimal("9.5"))]  # sorted by qty
    assert second.qty_stock == -3  # oversold: the store clamps to 0, the wire keeps the truth
    assert second.sale_price == Decimal("3.99") and second.tiers == []


def test_an_absent_field_means_unchanged_but_absent_tiers_mean_none():
    (item,), _ = pr.read_batch([{"SKU": "A"}])
    assert (item.qty_stock, item.weight, item.price, item.sale_price) == (None, None, None, None)
    assert item.tiers == []


def test_regular_price_wins_over_price():
    (item,), _ = pr.read_batch([{"SKU": "A", "Price": "1", "RegularPrice": "2"}])
    assert item.price == Decimal("2")


def test_blank_skus_are_skipped_quietly():
    items, errors = pr.read_batch([{"SKU": "  "}, {"Price": "1"}, {"SKU": "B"}])
    assert [i.sku for i in items] == ["B"] and errors == []


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"SKU": "A", "Price": "-1"}, "data[0].Price", "at least 0"),
        ({"SKU": "A", "Price": "ten"}, "data[0].Price", "must be a number"),
        ({"SKU": "A", "SalePrice": "-0.01"}, "data[0].SalePrice", "at least 0"),
        ({"SKU": "A", "QtyStock": "1.5"}, "data[0].QtyStock", "whole number"),
        ({"SKU": "A", "PriceTiers": [{"qty": "0", "price": "1"}]}, "data[0].PriceTiers[0].qty", "at least 1"),
        ({"SKU": "A", "PriceTiers": [{"qty": "2"}]}, "data[0].PriceTiers[0].price", "required"),
        ({"SKU": "A", "PriceTiers": "10:9.5"}, "data[0].PriceTiers", "must be a list"),
        ({"SKU": "A", "PriceTiers": ["x"]}, "data[0].PriceTiers[0]", "group of fields"),
        ({"SKU": "A", "PriceTiers": [{"qty": "2", "price": "1"}, {"qty": "2", "price": "1"}]},
         "data[0].PriceTiers[1].qty", "repeats"),
        ({"SKU": "A" * 65}, "data[0].SKU", "too long"),
    ],
)
def test_an_unreadable_item_is_skipped_and_named_while_the_rest_applies(raw, field, words):
    items, errors = pr.read_batch([raw, {"SKU": "OK", "Price": "1"}])
    assert [i.sku for i in items] == ["OK"]
    (error,) = errors
    assert error.field == field and words in error.problem
    assert error.sku == (raw["SKU"] if len(raw["SKU"]) <= 64 else raw["SKU"][:64])


def test_a_batch_that_is_not_a_list_is_refused():
    with pytest.raises(FieldError) as caught:
        pr.read_batch("AB-100")
    assert caught.value.field == "data"


def test_an_absurdly_deep_batch_is_refused():
    deep = {"SKU": "A"}
    for _ in range(10):
        deep = {"x": deep}
    with pytest.raises(FieldError, match="nested too deeply"):
        pr.read_batch([deep])


def test_one_absurdly_deep_item_among_usual_ones_gets_the_whole_batch_refused():
    usual = {"SKU": "A", "QtyStock": "3", "Price": "9.50", "PriceTiers": [{"qty": "5", "price": "9.00"}]}
    deep = {"SKU": "B", "PriceTiers": [{"qty": {"x": {"y": {"z": {"w": "5"}}}}, "price": "1"}]}

    assert pr.read_batch([usual, usual])[0]  # the usual ones read
    with pytest.raises(FieldError, match="nested too deeply") as caught:
        pr.read_batch([usual, deep, usual])
    assert caught.value.field == "data"


def test_an_item_without_tiers_is_built_without_price_tiers():
    built = pr.build_batch([pr.RefreshItem("A", 3, None, Decimal("10.00"), pr.CLEAR, [])])
    assert built == [{"SKU": "A", "QtyStock": "3", "Price": "10.00", "RegularPrice": "10.00", "SalePrice": ""}]
    assert "PriceTiers" not in phpform.encode({"data": built})


def test_built_items_read_back_the_same():
    items = [
        pr.RefreshItem("A", 5, Decimal("2.5"), Decimal("10"), Decimal("8"), [pr.Tier(5, Decimal("9"))], "si", Decimal("12")),
        pr.RefreshItem("B", None, None, None, pr.CLEAR, []),
    ]
    again, errors = read_body(phpform.encode({"data": pr.build_batch(items)}))
    assert errors == [] and again == items


def test_an_item_error_reads_as_a_sentence():
    assert str(pr.ItemError("AB-1", "data[0].Price", "must be a number")) == "AB-1: data[0].Price must be a number"
