"""The usual-shape reader of Quick Refresh items: where it reads an item, it reads what read_item reads."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bizunosync.wire import phpform
from bizunosync.wire import product_refresh as pr
from tests.phpcli import needs_php, run_php

from .test_product_refresh import BIZUNO_BATCH_PHP

MONEY = ["10", "10.5", "0.0001", "0", "99999999.9999", "12.", "007.50", "", " ", " 10", "10 ", "1e3", "-1",
         "10.12345", "１２", "abc", "100000000", "+5", ".5", "1_000", "NaN", "inf", "\t", "5\n"]
STOCK = ["0", "-3", "12", "999999999", "-999999999", "1000000000", "9999999999", "-9999999999", "12.0", "", "1e3", " 1", "+1", "-0", "٣"]
SKUS = ["A", "AB-100", " A", "A ", "", "x" * 64, "x" * 65, "A\tB", "é-1", "\u200b", "\x00", "A B", "0"]
ODD = [{"0": "1"}, [], ["1"], {}]


def value(pool):
    return st.one_of(st.sampled_from(pool), st.sampled_from(ODD), st.none())


def tiers():
    row = st.dictionaries(st.sampled_from(["qty", "price", "other"]),
                          st.one_of(st.sampled_from(STOCK + MONEY), st.sampled_from(ODD)), max_size=3)
    rows = st.lists(st.one_of(row, st.sampled_from(["", "x"]), st.none()), max_size=4)
    return st.one_of(rows, rows.map(lambda r: {str(i): v for i, v in enumerate(r)}), st.sampled_from(["", "x"]),
                     st.none())


USUAL_MONEY = st.sampled_from(["10", "10.5", "0.0001", "0", "99999999.9999", "12.", "007.50"])
USUAL_TIER = st.fixed_dictionaries({"qty": st.sampled_from(["1", "10", "50", "999999999"]), "price": USUAL_MONEY})
USUAL = st.fixed_dictionaries({"SKU": st.sampled_from(["A", "AB-100", "x" * 64, "é-1", "A B"])}, optional={
    "QtyStock": st.sampled_from(["0", "-3", "12", "999999999", "-999999999", "-0"]), "Weight": USUAL_MONEY,
    "Price": USUAL_MONEY, "RegularPrice": USUAL_MONEY, "SalePrice": st.one_of(USUAL_MONEY, st.just("")),
    "PriceTiers": st.lists(USUAL_TIER, max_size=3, unique_by=lambda t: t["qty"]).map(lambda r: {str(i): v for i, v in enumerate(r)}),
    "Type": st.sampled_from(["si", "ms", "abcdefgh"]), "FullPrice": USUAL_MONEY,
    "WeightUOM": st.sampled_from(["kg", "lb", "oz", "g"]),
})
KEYS = st.sampled_from(["SKU", "QtyStock", "Weight", "Price", "RegularPrice", "SalePrice", "PriceTiers", "Type",
                        "FullPrice", "WeightUOM", "Extra"])


def with_one_odd_value(raw, key, odd, tier_key):
    """A usual item with one value made odd (absent, where ``odd`` is None), in a tier if ``tier_key``."""
    raw = dict(raw)
    tiers = raw.get("PriceTiers")
    if tier_key and isinstance(tiers, dict) and tiers:  # the odd value inside a tier instead
        first = dict(next(iter(tiers.values())))
        first[tier_key] = odd if not isinstance(odd, dict) or odd else "x"
        raw["PriceTiers"] = {**tiers, "0": first, "9": first}  # …and a repeated quantity
        if tier_key == "repeat":
            raw["PriceTiers"] = {"0": first, "1": dict(first)}
    elif odd is None:
        raw.pop(key, None)
    else:
        raw[key] = odd
    return raw


POOLS = {"SKU": SKUS, "QtyStock": STOCK, "Type": ["si", "", "abcdefghi", " "],
         "WeightUOM": ["kg", "KG", " kg", "", "stone"]}


def odd_for(key):
    if key == "PriceTiers":
        return tiers()
    return st.one_of(st.sampled_from(POOLS.get(key, MONEY + STOCK)), st.sampled_from(ODD))


ODD_VALUE = KEYS.flatmap(lambda key: st.tuples(st.just(key), odd_for(key)))
ITEMS = st.one_of(
    USUAL,
    st.builds(lambda raw, odd, tier_key: with_one_odd_value(raw, *odd, tier_key), USUAL, ODD_VALUE,
              st.sampled_from([None, None, None, "qty", "price", "repeat"])),
)


@settings(max_examples=3000, deadline=None)
@given(ITEMS)
def test_an_item_the_usual_reader_reads_is_read_the_same_to_the_digit(raw):
    usual = pr.usual_item(raw)
    if usual is not None:
        assert repr(usual) == repr(pr.read_item(raw, 0))


@settings(max_examples=300, deadline=None)
@given(USUAL)
def test_the_usual_shape_is_read_by_the_usual_reader(raw):
    assert pr.usual_item(raw) is not None


PLAIN_MONEY = st.decimals(min_value=0, max_value=Decimal("99999999.9999"), places=4, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(
    pr.RefreshItem,
    sku=st.from_regex(r"[A-Z][A-Z0-9\-]{0,20}", fullmatch=True),
    qty_stock=st.one_of(st.none(), st.integers(-10**6, 10**6)),
    weight=st.one_of(st.none(), PLAIN_MONEY),
    price=st.one_of(st.none(), PLAIN_MONEY),
    sale_price=st.one_of(st.none(), st.just(pr.CLEAR), PLAIN_MONEY),
    tiers=st.lists(st.builds(pr.Tier, st.integers(1, 10**6), PLAIN_MONEY), max_size=4, unique_by=lambda t: t.qty),
    weight_uom=st.one_of(st.none(), st.sampled_from(pr.WEIGHT_UNITS)),
), min_size=1, max_size=20))
def test_every_item_our_books_side_sends_takes_the_usual_reader(items):
    sent = phpform.as_list(phpform.decode(phpform.encode({"data": pr.build_batch(items)}))["data"])
    assert all(pr.usual_item(raw) is not None for raw in sent)


@needs_php
def test_every_item_of_a_batch_as_bizuno_sends_it_takes_the_usual_reader():
    sent = phpform.as_list(phpform.decode(run_php(BIZUNO_BATCH_PHP).decode())["data"])
    assert [repr(pr.usual_item(raw)) for raw in sent] == [repr(pr.read_item(raw, i)) for i, raw in enumerate(sent)]
    assert None not in [pr.usual_item(raw) for raw in sent]


def test_items_past_the_generated_sizes_are_left_to_the_full_reader():
    too_many = {"SKU": "A", "PriceTiers": {str(i): {"qty": str(i + 1), "price": "1"} for i in range(pr.MAX_TIERS + 1)}}
    tier_as_list = {"SKU": "A", "PriceTiers": {"0": ["10", "1.00"]}}
    json_numbers = {"SKU": "A", "QtyStock": 12, "Price": Decimal("10.5")}
    for raw in (too_many, tier_as_list, json_numbers):
        assert pr.usual_item(raw) is None
    assert pr.usual_item({**too_many, "PriceTiers": dict(list(too_many["PriceTiers"].items())[:100])}) is not None


DECIMALS = st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9),
                     st.sampled_from([Decimal("1E+3"), Decimal("-0"), Decimal("0.00001"), Decimal("12.50"), Decimal("NaN"),
                                     Decimal("-Infinity")]))
ITEMS = st.builds(
    pr.RefreshItem,
    sku=st.text(min_size=1, max_size=12),
    qty_stock=st.one_of(st.none(), st.integers(-10**9, 10**9)),
    weight=st.one_of(st.none(), DECIMALS),
    price=st.one_of(st.none(), DECIMALS),
    sale_price=st.one_of(st.none(), st.just(pr.CLEAR), DECIMALS),
    tiers=st.lists(st.builds(pr.Tier, st.integers(0, 10**6), DECIMALS), max_size=4),
    type=st.one_of(st.none(), st.sampled_from(["", "si", "ms", "a&b"])),
    full_price=st.one_of(st.none(), DECIMALS),
    weight_uom=st.one_of(st.none(), st.sampled_from(["", "kg", "lb", "o z"])),
)


@settings(max_examples=500)
@given(st.lists(ITEMS, min_size=1, max_size=4))
def test_an_item_encoded_straight_from_its_fields_is_what_encoding_its_built_dict_writes(items):
    assert [pr.encode_item(item) for item in items] == [phpform.encode_row("data", pr.build_item(item)) for item in items]
    assert phpform.encode_list([pr.encode_item(item) for item in items]) == phpform.encode({"data": pr.build_batch(items)})


def test_a_value_met_again_reads_as_it_did_and_a_refused_one_stays_refused():
    item = {"SKU": "A-1", "Price": "10.50", "PriceTiers": {"0": {"qty": "10", "price": "9.25"}}}
    first, again = pr.usual_item(item), pr.usual_item(dict(item))
    assert first == again == pr.read_item(item, 0)
    for unusual in ({"SKU": "A-1", "Price": "10.123456"}, {"SKU": "A-1", "PriceTiers": [{"qty": "0", "price": "9.25"}]},
                    {"SKU": "A-1", "PriceTiers": [{"qty": "10", "price": "9.25"}, {"qty": "10", "price": "9.25"}]}):
        assert pr.usual_item(unusual) is None
        assert pr.usual_item(unusual) is None


def test_the_kept_values_stay_bounded_however_many_a_peer_sends():
    for i in range(pr._KEPT * 2 + 5):
        assert pr.usual_item({"SKU": "A-1", "Price": f"{i}.5", "PriceTiers": [{"qty": str(i + 1), "price": f"{i}.25"}]})
    assert 0 < len(pr._MONEYS) <= pr._KEPT and 0 < len(pr._TIERS) <= pr._KEPT
