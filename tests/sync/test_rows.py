"""The bulk row writers (sync.rows): what goes in comes back exactly, all rows or none, one query."""

import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bizunosync.books.models import Item, LastPushed
from bizunosync.store.models import Product
from bizunosync.sync import rows
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import InboundCall, TouchedRecord

AWKWARD_TEXT = 'It\'s "quoted", back\\slashed, {braced}, [0], ünïcödé, 😀, tab\there'
AWKWARD_JSON = {"text": AWKWARD_TEXT, "nested": {"list": [1, "2", None, True]}, "money": "10.5000", "empty": ""}
WHEN = datetime.datetime(2026, 12, 4, 18, 30, 15, 123456, tzinfo=datetime.timezone.utc)


def products(n):
    Product.objects.bulk_create(Product(sku=f"ROW-{i}", name=f"Row {i}") for i in range(n))
    return list(Product.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db
def test_updated_rows_read_back_exactly_as_written_whatever_the_text_numbers_and_json_hold():
    first, second = products(2)
    names = ["regular_price", "sale_price", "stock_quantity", "manage_stock", "stock_status", "bizuno_snapshot", "modified"]
    rows.update(Product, names, [
        (first, Decimal("12.5000"), None, -3, True, "instock", AWKWARD_JSON, WHEN),
        (second, Decimal("0.0001"), Decimal("99999999.9999"), 0, False, "outofstock", {}, WHEN),
    ])

    got = {row["pk"]: row for row in Product.objects.values("pk", *names)}
    assert got[first] == {"pk": first, "regular_price": Decimal("12.5000"), "sale_price": None, "stock_quantity": -3,
                          "manage_stock": True, "stock_status": "instock", "bizuno_snapshot": AWKWARD_JSON,
                          "modified": WHEN}
    assert got[second]["sale_price"] == Decimal("99999999.9999")
    assert got[second]["regular_price"] == Decimal("0.0001")
    assert got[second]["bizuno_snapshot"] == {}
    assert got[second]["manage_stock"] is False


def _stored_price(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT regular_price FROM store_product WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@given(st.decimals(min_value=Decimal("-99999999.9999"), max_value=Decimal("99999999.9999"), places=4))
def test_a_price_written_in_bulk_is_stored_as_django_stores_it(price):
    # On SQLite prices are bound as their text, made here rather than by Django's sqlite3 adapter.
    pk = Product.objects.get_or_create(sku="ROW-PRICE", defaults={"name": "Price"})[0].pk
    Product.objects.filter(pk=pk).update(regular_price=price)
    by_django = _stored_price(pk)
    rows.update(Product, ["regular_price"], [(pk, price)])
    assert _stored_price(pk) == by_django
    assert Product.objects.get(pk=pk).regular_price == price


@pytest.mark.django_db
def test_a_thousand_rows_are_one_query_and_rows_not_named_are_left_alone():
    pks = products(1000)
    with CaptureQueriesContext(connection) as queries:
        rows.update(Product, ["stock_quantity", "name"], [(pk, i, f"{AWKWARD_TEXT} {i}") for i, pk in enumerate(pks[:-1])])
    # savepoint=False inside the test's transaction: no SAVEPOINT statements either
    assert len(queries) == 1
    assert Product.objects.get(pk=pks[500]).name == f"{AWKWARD_TEXT} 500"
    untouched = Product.objects.get(pk=pks[-1])
    assert (untouched.stock_quantity, untouched.name) == (None, "Row 999")


@pytest.mark.django_db
def test_inserted_rows_skip_the_ones_a_unique_constraint_already_holds():
    call = InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                                      result="success")
    rows.insert(TouchedRecord, ["job", "call", "ref"], [(None, call.pk, "store.product:1")])
    rows.insert(TouchedRecord, ["job", "call", "ref"],
                [(None, call.pk, "store.product:1"), (None, call.pk, f"store.product:{AWKWARD_TEXT}")],
                skip_existing=True)
    assert sorted(TouchedRecord.objects.values_list("ref", flat=True)) == [
        "store.product:1", f"store.product:{AWKWARD_TEXT}"]


@pytest.mark.django_db
def test_an_upsert_inserts_new_rows_and_overwrites_the_values_of_existing_ones():
    store = StoreConnection.load()
    one, two = (Item.objects.create(sku=f"UP-{i}", description_short="x") for i in range(2))
    rows.upsert(LastPushed, ["store", "item", "sent", "pushed_at"], [(store.pk, one.pk, {"price": "1.0000"}, WHEN)],
                unique=["store", "item"])
    later = WHEN + datetime.timedelta(hours=1)
    rows.upsert(LastPushed, ["store", "item", "sent", "pushed_at"],
                [(store.pk, one.pk, AWKWARD_JSON, later), (store.pk, two.pk, {"price": "2.0000"}, later)],
                unique=["store", "item"])
    got = {row.item_id: row for row in LastPushed.objects.all()}
    assert got[one.pk].sent == AWKWARD_JSON and got[one.pk].pushed_at == later
    assert got[two.pk].sent == {"price": "2.0000"}
    assert LastPushed.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_leaves_none_of_the_others_written():
    # Outside any transaction: on SQLite an executemany would otherwise commit row by row.
    call = InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                                      result="success")
    with pytest.raises(IntegrityError):
        rows.insert(TouchedRecord, ["job", "call", "ref"],
                    [(None, call.pk, "store.product:1"), (None, call.pk, "store.product:2"),
                     (None, call.pk, "store.product:1")])
    assert not TouchedRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not enforce a varchar's length")
def test_a_text_longer_than_its_column_is_refused_not_cut():
    (pk,) = products(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(Product, ["stock_status"], [(pk, "x" * 200)])
    assert Product.objects.get(pk=pk).stock_status != "x" * 20


@pytest.mark.django_db
def test_rows_read_back_the_same_values_django_reads_json_money_flags_times_and_nulls():
    first, second, third = products(3)
    names = ["regular_price", "sale_price", "stock_quantity", "manage_stock", "bizuno_snapshot", "modified"]
    rows.update(Product, names, [
        (first, Decimal("12.5000"), None, -3, True, AWKWARD_JSON, WHEN),
        (second, Decimal("12.5000"), Decimal("1.0000"), 1, False, {}, WHEN),
        (third, Decimal("1.0000"), Decimal("99999999.9999"), 0, True, {"none": None}, WHEN),
    ])
    wanted = ["pk", "sku", *names]
    queryset = Product.objects.filter(pk__in=[first, second, third]).order_by("-pk")

    assert rows.read(queryset, wanted) == list(queryset.values_list(*wanted))
    # values that repeat are converted once, yet each type keeps its own conversion (1, 1.0 and True)
    read = rows.read(queryset, ["manage_stock", "stock_quantity", "sale_price"])
    assert [type(v) for row in read for v in row if v is not None] == [bool, int, Decimal, bool, int, Decimal, bool, int]


@pytest.mark.django_db
def test_each_row_read_gets_its_own_json_so_changing_one_leaves_the_others_alone():
    first, second = products(2)
    rows.update(Product, ["bizuno_snapshot"], [(first, {"tiers": []}), (second, {"tiers": []})])
    (one,), (other,) = rows.read(Product.objects.order_by("pk"), ["bizuno_snapshot"])
    one["tiers"].append(1)
    assert other == {"tiers": []}


@pytest.mark.django_db
def test_reading_no_rows_is_an_empty_list_in_one_query():
    with CaptureQueriesContext(connection) as queries:
        assert rows.read(Product.objects.filter(sku="none such"), ["pk", "bizuno_snapshot"]) == []
    assert len(queries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", [[AWKWARD_TEXT, 1, None], AWKWARD_TEXT, 12.5, 0, False, {"": {"null": None}}])
def test_a_json_field_holds_whatever_json_it_was_given_written_or_inserted(value):
    (pk,) = products(1)
    rows.update(Product, ["bizuno_snapshot"], [(pk, value)])
    assert Product.objects.get(pk=pk).bizuno_snapshot == value
    item = Item.objects.create(sku="JSON-1", description_short="x")
    rows.insert(LastPushed, ["store", "item", "sent", "pushed_at"], [(StoreConnection.load().pk, item.pk, value, WHEN)])
    assert LastPushed.objects.get(item=item).sent == value


@pytest.mark.django_db
def test_one_of_finds_exactly_the_rows_listed_by_text_number_or_foreign_key_in_one_parameter():
    pks = products(1200)  # more values than SQLite binds at once
    wanted = pks[::2]
    with CaptureQueriesContext(connection) as queries:
        assert sorted(Product.objects.filter(pk__one_of=wanted).values_list("pk", flat=True)) == wanted
    assert len(queries) == 1
    assert set(Product.objects.filter(sku__one_of=["ROW-3", "ROW-5", "no such"]).values_list("sku", flat=True)) == {
        "ROW-3", "ROW-5"}
    assert not Product.objects.filter(sku__one_of=[]).exists()
    store = StoreConnection.load()
    item = Item.objects.create(sku="ONE-1", description_short="x")
    LastPushed.objects.create(store=store, item=item, sent={})
    assert LastPushed.objects.filter(item_id__one_of={item.pk: "keys of a dict"}).count() == 1
    assert LastPushed.objects.filter(item__one_of=[item.pk + 1]).count() == 0


@pytest.mark.django_db
def test_one_of_on_postgresql_is_any_of_one_array_not_a_subquery_the_planner_may_hash_join():
    if connection.vendor != "postgresql":
        pytest.skip("the = ANY(array) form is PostgreSQL's")
    sql = str(LastPushed.objects.filter(store_id=1, item_id__one_of=[1, 2]).query)
    assert "= ANY(" in sql and "unnest" not in sql


COMPILED_READ = rows.Compiled(
    lambda skus: Product.objects.filter(sku__one_of=skus).exclude(stock_status="outofstock").order_by("sku"),
    ["sku", "regular_price", "bizuno_snapshot"])


@pytest.mark.django_db
def test_a_compiled_read_gives_what_its_queryset_gives_for_each_new_list_in_one_query():
    products(5)
    Product.objects.filter(sku="ROW-3").update(stock_status="outofstock", regular_price=Decimal("7.2500"))
    Product.objects.filter(sku="ROW-1").update(regular_price=Decimal("1.5000"), bizuno_snapshot={"tiers": [[2, "1.0000"]]})
    for skus in (["ROW-1", "ROW-3", "ROW-4"], ["ROW-0"], [], ["ROW-4", "NOT-THERE", "ROW-1"]):
        expected = list(Product.objects.filter(sku__in=skus).exclude(stock_status="outofstock").order_by("sku")
                        .values_list("sku", "regular_price", "bizuno_snapshot"))
        with CaptureQueriesContext(connection) as queries:
            assert COMPILED_READ.read(skus=skus) == expected
        assert len(queries) == 1
    assert COMPILED_READ.read(skus=["ROW-1"]) == [("ROW-1", Decimal("1.5000"), {"tiers": [[2, "1.0000"]]})]


@pytest.mark.django_db(transaction=True)
def test_a_compiled_read_reads_right_from_another_thread_with_its_own_connection():
    import threading

    products(3)
    assert COMPILED_READ.read(skus=["ROW-0"]) == [("ROW-0", None, {})]
    seen = []

    def other():
        try:
            seen.append(COMPILED_READ.read(skus={"ROW-2": 1, "ROW-1": 2}))
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(10)
    assert seen == [[("ROW-1", None, {}), ("ROW-2", None, {})]]


JSON_TREES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=4)),
    max_leaves=25)


@given(JSON_TREES)
def test_a_json_field_is_written_as_the_text_json_dumps_writes(value):
    assert rows._json_text(value) == json.dumps(value)


def test_a_value_json_cannot_write_is_refused_as_json_dumps_refuses_it():
    for value in ({"price": Decimal("1.5")}, {"tags": {"a"}}, [object()]):
        with pytest.raises(TypeError):
            rows._json_text(value)
