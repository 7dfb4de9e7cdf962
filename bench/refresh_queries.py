"""Queries per product/refresh batch of 10, 100 and 1,000 items.

    .venv/bin/python bench/refresh_queries.py          # SQLite scratch database
    createdb -h 127.0.0.1 -U postgres bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/refresh_queries.py
"""

from _setup import django_scratch, sync_user

django_scratch()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bizunosync.store.models import PriceTier, Product  # noqa: E402
from bizunosync.wire import phpform  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # queries only: hashing speed is not measured here


def batch(n, round_no):
    return [{"SKU": f"B-{i}", "QtyStock": str(round_no + i), "Price": f"{round_no}.50", "SalePrice": "",
             "PriceTiers": [{"qty": "10", "price": f"{round_no}.25"}, {"qty": "50", "price": "1.00"}]} for i in range(n)]


def main():
    headers = sync_user("bench-password")
    client = Client()
    print(f"database: {connection.vendor}")
    print(f"{'items':>6} {'form fields':>11} {'queries (all change)':>21} {'queries (none change)':>22}  statements")
    for n in (10, 100, 1000):
        PriceTier.objects.all().delete()
        Product.objects.all().delete()
        Product.objects.bulk_create(Product(sku=f"B-{i}", name=f"Bench {i}") for i in range(n))
        body1 = phpform.encode({"data": batch(n, 1)})
        client.put("/wp-json/bizuno-api/v1/product/refresh", body1, content_type="application/x-www-form-urlencoded", **headers)
        body2 = phpform.encode({"data": batch(n, 2)})
        with CaptureQueriesContext(connection) as changed:
            answer = client.put("/wp-json/bizuno-api/v1/product/refresh", body2,
                                content_type="application/x-www-form-urlencoded", **headers).json()
        assert answer["note"] == f"Updated {n} of {n} products.", answer
        with CaptureQueriesContext(connection) as same:
            answer = client.put("/wp-json/bizuno-api/v1/product/refresh", body2,
                                content_type="application/x-www-form-urlencoded", **headers).json()
        assert answer["note"] == f"Updated 0 of {n} products.", answer
        kinds = " · ".join(q["sql"].split()[0] for q in changed.captured_queries)
        print(f"{n:>6} {phpform.count_vars(body2):>11} {len(changed.captured_queries):>21} {len(same.captured_queries):>22}  {kinds}")


if __name__ == "__main__":
    main()
