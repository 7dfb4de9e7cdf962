"""A 1,000-item product/refresh against its floor and against a naive per-product save() loop.

    .venv/bin/python bench/refresh_apply.py
    createdb -h 127.0.0.1 -U postgres bench_f   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_f .venv/bin/python bench/refresh_apply.py

apply : one authenticated PUT of 1,000 items, every product and tier changing (decode,
        validation, the apply, the call log).
floor : an empty authenticated PUT plus one bulk UPDATE of the same 1,000 rows and fields,
        written the cheapest way the database offers (executemany by primary key on SQLite,
        UPDATE … FROM jsonb_array_elements(…) on PostgreSQL, one JSON document for all rows),
        each row's snapshot the size and shape of the one the apply writes (what Bizuno sent:
        prices, stock, tiers, weight; about 230 bytes). Until 2026-12-07 the floor wrote a
        15-byte snapshot instead; that floor is still measured and printed as "tiny-snapshot
        floor", for comparison with earlier figures.
naive : for each item, Product.objects.get(), set the fields, save(), replace its tiers —
        in one transaction.
Each is the median of ROUNDS runs; every run sends new values so every row is written.
On SQLite each starts with the write-ahead log checkpointed (outside the clock): otherwise the
checkpoint of whatever the runs before it wrote lands in whichever run's commit crosses SQLite's
1,000-page mark, ~7 ms on this machine, every second round or so. The apply writes the most
pages of any run (~155 of a round's ~490: the floor's ~105, the naive loop's ~135), so it took
that checkpoint most often, and the figures said more about where it landed than about the work.
"""

import json
import statistics
import time

from _setup import django_scratch, settle, sync_user

# The store as it is deployed: DEBUG off (no query log) and bridge.wsgi loaded, as gunicorn loads it.
django_scratch(DEBUG="false", SECURE_SSL_REDIRECT="false", SECRET_KEY="bench-only-secret-key-" + "x" * 40)
import bridge.wsgi  # noqa: E402,F401

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bizunosync.store.models import PriceTier, Product  # noqa: E402
from bizunosync.wire import phpform  # noqa: E402
from bizunosync.wire import product_refresh as wire  # noqa: E402

N = 1000
ROUNDS = 5
URL = "/wp-json/bizuno-api/v1/product/refresh"
FIELDS = ["regular_price", "sale_price", "price", "stock_quantity", "stock_status", "manage_stock",
          "backorders", "weight", "bizuno_snapshot", "modified"]


def batch(round_no):
    return [{"SKU": f"R-{i}", "QtyStock": str(round_no + i), "Price": f"{round_no}.50", "SalePrice": "",
             "Weight": f"{round_no}.1",
             "PriceTiers": [{"qty": "10", "price": f"{round_no}.25"}, {"qty": "50", "price": "1.00"}]} for i in range(N)]


def put(client, headers, body):
    response = client.put(URL, body, content_type="application/x-www-form-urlencoded", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def snapshot(round_no, i):
    """The snapshot the apply writes for item i of batch(round_no)."""
    return {"tiers": [[10, f"{round_no}.2500"], [50, "1.0000"]], "regular_price": f"{round_no}.5000",
            "sale_price": None, "price": f"{round_no}.5000", "stock_quantity": round_no + i,
            "stock_status": "instock", "bizuno_stock_quantity": round_no + i, "weight": f"{round_no}.1000"}


def bulk_update(round_no, tiny=False):
    """The floor's write: every row, every field the apply writes, one statement."""
    now = timezone.now()
    pks = Product.objects.order_by("pk").values_list("pk", flat=True)
    rows = [(f"{round_no}.5000", None, f"{round_no}.5000", round_no + i, "instock", True, "no", f"{round_no}.1000",
             {"round": round_no} if tiny else snapshot(round_no, i), now, pk) for i, pk in enumerate(pks)]
    if connection.vendor != "postgresql":  # executemany binds text: the JSON made before the clock starts
        rows = [(*row[:8], json.dumps(row[8]), *row[9:]) for row in rows]
    # the primary keys are read before the clock starts in real use too (the apply reads the products)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # one JSON document for all rows, each snapshot in it as JSON: cheaper than an array per
            # column or a VALUES list of 11,000 parameters under Django's client-side binding (measured)
            document = json.dumps([[*row[:9], row[9].isoformat(), row[10]] for row in rows])
            cursor.execute(
                "UPDATE store_product AS p SET regular_price=(e->>0)::numeric, sale_price=(e->>1)::numeric,"
                " price=(e->>2)::numeric, stock_quantity=(e->>3)::int, stock_status=e->>4,"
                " manage_stock=(e->>5)::bool, backorders=e->>6, weight=(e->>7)::numeric,"
                " bizuno_snapshot=e->8, modified=(e->>9)::timestamptz"
                " FROM jsonb_array_elements(%s::jsonb) AS e WHERE p.id = (e->>10)::bigint",
                [document],
            )
        else:
            cursor.executemany(
                "UPDATE store_product SET regular_price=%s, sale_price=%s, price=%s, stock_quantity=%s, stock_status=%s,"
                " manage_stock=%s, backorders=%s, weight=%s, bizuno_snapshot=%s, modified=%s WHERE id=%s", rows)
    return time.perf_counter() - started


def checkpointed():
    """SQLite: the write-ahead log copied into the database, so the next run writes from its start."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(RESTART)")


def naive(round_no):
    items, _ = wire.read_batch(phpform.as_list(phpform.decode(phpform.encode({"data": batch(round_no)}))["data"]))
    started = time.perf_counter()
    with transaction.atomic():
        for item in items:
            product = Product.objects.get(sku=item.sku)
            product.regular_price = item.price
            product.sale_price = None
            product.price = item.price
            product.stock_quantity = max(item.qty_stock, 0)
            product.stock_status = "instock" if item.qty_stock > 0 else "outofstock"
            product.manage_stock = True
            product.weight = item.weight
            product.save()
            PriceTier.objects.filter(product=product).delete()
            PriceTier.objects.bulk_create(PriceTier(product=product, qty=t.qty, price=t.price) for t in item.tiers)
    return time.perf_counter() - started


def main():
    headers = sync_user("bench-password")
    client = Client()
    PriceTier.objects.all().delete()
    Product.objects.all().delete()
    Product.objects.bulk_create(Product(sku=f"R-{i}", name=f"Refresh {i}") for i in range(N))
    put(client, headers, phpform.encode({"data": batch(1)}))  # verifies the password once; the credential cache holds it
    settle()  # once the products have their tiers: the statistics a running shop's database has

    applies, floors, tiny_floors, naives = [], [], [], []
    for r in range(ROUNDS):
        body = phpform.encode({"data": batch(10 + r)})
        checkpointed()
        started = time.perf_counter()
        answer = put(client, headers, body)
        applies.append(time.perf_counter() - started)
        assert answer["note"] == f"Updated {N} of {N} products.", answer

        checkpointed()
        started = time.perf_counter()
        client.put(URL, "", content_type="application/x-www-form-urlencoded", **headers)
        empty = time.perf_counter() - started
        floors.append(empty + bulk_update(20 + r))
        checkpointed()
        tiny_floors.append(empty + bulk_update(40 + r, tiny=True))

        checkpointed()
        naives.append(naive(30 + r))

    apply_s, floor_s, tiny_s, naive_s = (statistics.median(x) for x in (applies, floors, tiny_floors, naives))
    print(f"refresh apply {N} items [{connection.vendor}]: apply {apply_s * 1000:.1f} ms · floor {floor_s * 1000:.1f} ms"
          f" · naive save loop {naive_s * 1000:.1f} ms · apply/floor {apply_s / floor_s:.2f}× (target ≤ 5)"
          f" · naive/apply {naive_s / apply_s:.1f}× (target ≥ 20)"
          f" · tiny-snapshot floor {tiny_s * 1000:.1f} ms, apply/it {apply_s / tiny_s:.2f}×")


if __name__ == "__main__":
    main()
