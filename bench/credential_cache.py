"""Wall time of 100 back-to-back authenticated product/refresh calls, with and without
the credential cache, using the real password hasher (PBKDF2, Django's default).

    .venv/bin/python bench/credential_cache.py
"""

import time

from _setup import django_scratch, sync_user

django_scratch()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.cache.backends.dummy import DummyCache  # noqa: E402
from django.test import Client  # noqa: E402

from bizunosync.store.endpoints import auth  # noqa: E402
from bizunosync.store.models import Product  # noqa: E402
from bizunosync.wire import phpform  # noqa: E402

CALLS = 100


def run(client, headers, body) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        response = client.put("/wp-json/bizuno-api/v1/product/refresh", body,
                              content_type="application/x-www-form-urlencoded", **headers)
        assert response.status_code == 200, response.content
    return time.perf_counter() - started


def main():
    print(f"hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    headers = sync_user("a-long-bench-password")
    Product.objects.bulk_create(Product(sku=f"C-{i}", name=f"Cache {i}") for i in range(100))
    body = phpform.encode({"data": [{"SKU": f"C-{i}", "QtyStock": "5", "Price": "2.50"} for i in range(100)]})
    client = Client()

    cache.clear()
    with_cache = run(client, headers, body)

    real_cache = auth.cache
    auth.cache = DummyCache("dummy", {})  # every call verifies the hash again
    try:
        without_cache = run(client, headers, body)
    finally:
        auth.cache = real_cache

    print(f"{CALLS} refresh calls of 100 items, credential cache ON : {with_cache:6.2f} s ({with_cache / CALLS * 1000:6.1f} ms/call)")
    print(f"{CALLS} refresh calls of 100 items, credential cache OFF: {without_cache:6.2f} s ({without_cache / CALLS * 1000:6.1f} ms/call)")
    print(f"saved: {without_cache - with_cache:.2f} s ({without_cache / with_cache:.1f}× faster with the cache)")


if __name__ == "__main__":
    main()
