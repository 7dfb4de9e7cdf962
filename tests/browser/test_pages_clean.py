"""Every page a shopper or shop staff use loads clean in Chromium, and each gets a full-page screenshot.

"Clean" is what the ``page`` fixture checks at teardown: no console error,
no uncaught script error, no failed request and no answer >= 400 (a
stylesheet or script that 404s counts). Each page is also asked for its own
status here, so a failure names the page. One seeded live server for all of
it: the shopper's order comes first, so the staff pages show a real order,
its export job and the books' inbound calls.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from bizunosync.books.models import Item, SalesOrder
from bizunosync.store.models import Order, Product
from bizunosync.sync.models import SyncJob
from tests.support.browser import admin_login, page_problems, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def visit(page, url: str, name: str):
    answer = page.goto(url)
    assert answer is not None and answer.status == 200, f"{name}: {url} answered {answer and answer.status}"
    assert page_problems(page) == [], f"{name}: {page_problems(page)}"
    screenshot(page, name)
    return answer


def shop_pages(page, base: str) -> str:
    """The shopper's pages, in the order a shopper meets them; returns the order number."""
    egg_cups = Product.objects.get(sku="EGG-CUP-12")
    visit(page, f"{base}/", "shop-home")
    visit(page, f"{base}/category/kitchen/", "shop-category")
    visit(page, f"{base}/?q=tea", "shop-search")
    assert "English Breakfast Tea" in page.locator("main").inner_text()
    visit(page, f"{base}/product/{egg_cups.slug}/", "shop-product")
    assert page.locator("#volume-pricing").is_visible()
    page.fill("#id_quantity", "24")
    page.click("#add-to-cart")
    page.goto(f"{base}/product/{Product.objects.get(sku='MUG-STONE').slug}/")
    page.click("#add-to-cart")
    visit(page, f"{base}/cart/", "shop-cart")

    visit(page, f"{base}/checkout/", "shop-checkout-empty")
    page.fill("#id_email", "ann.lee@example.com")
    page.fill("#id_first_name", "Ann")
    page.fill("#id_last_name", "Lee")
    page.fill("#id_address_1", "500 Howard Street")
    page.fill("#id_city", "San Francisco")
    page.fill("#id_state", "CA")
    page.fill("#id_postcode", "94105")
    page.click("#get-rates")  # the plain form path: a full page with the rates
    page.locator("input[name=shipping_method]").first.wait_for()
    page.wait_for_load_state("networkidle")
    screenshot(page, "shop-checkout-rates")
    page.set_viewport_size(PHONE)
    screenshot(page, "shop-checkout-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#place-order")
    page.locator("#order-number").wait_for()
    page.wait_for_load_state("networkidle")
    screenshot(page, "shop-thanks")
    number = page.locator("#order-number").inner_text()

    page.set_viewport_size(PHONE)
    visit(page, f"{base}/product/{egg_cups.slug}/", "shop-product-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    return number


def admin_pages(base: str, number: str) -> list[tuple[str, str]]:
    order = Order.objects.get(number=number)
    job = SyncJob.objects.filter(target=f"PO WC{number}").latest("pk")
    pages = [
        ("admin-index", reverse("admin:index")),
        ("admin-store", reverse("admin:app_list", args=["store"])),
        ("admin-orders", reverse("admin:store_order_changelist")),
        ("admin-order", reverse("admin:store_order_change", args=[order.pk])),
        ("admin-quote-rates", reverse("admin:store_order_quote_rates") + f"?order={order.pk}"),
        ("admin-quote-rates-result",
         reverse("admin:store_order_quote_rates") + "?country=US&state=CA&postcode=94105&weight=1.5"),
        ("admin-products", reverse("admin:store_product_changelist")),
        ("admin-product", reverse("admin:store_product_change", args=[Product.objects.get(sku="EGG-CUP-12").pk])),
        ("admin-sync-log", reverse("admin:sync_syncjob_changelist")),
        ("admin-sync-job", reverse("admin:sync_syncjob_change", args=[job.pk])),
        ("admin-inbound-calls", reverse("admin:sync_inboundcall_changelist")),
        ("admin-bizuno-connection", reverse("admin:sync_bizunoconnection_changelist")),
        ("admin-store-connection", reverse("admin:sync_storeconnection_changelist")),
        ("admin-books", reverse("admin:app_list", args=["books"])),
        ("admin-books-items", reverse("admin:books_item_changelist")),
        ("admin-books-item", reverse("admin:books_item_change", args=[Item.objects.get(sku="EGG-CUP-12").pk])),
        ("admin-books-sales-orders", reverse("admin:books_salesorder_changelist")),
        ("admin-books-sales-order",
         reverse("admin:books_salesorder_change", args=[SalesOrder.objects.get(po_reference=f"WC{number}").pk])),
        ("admin-books-shipments", reverse("admin:books_shipment_changelist")),
        ("admin-books-rate-rules", reverse("admin:books_shippingraterule_changelist")),
    ]
    # The store console lives with the books items (another engineer's pages: included when present).
    for name, url_name in [("admin-console", "books_console"),
                           ("admin-console-ship-confirm", "books_console_ship_confirm")]:
        try:
            pages.append((name, reverse(f"admin:{url_name}")))
        except NoReverseMatch:
            pass
    return [(name, base + url) for name, url in pages]


def test_every_shop_and_staff_page_loads_without_console_errors_or_failed_requests(
    live_server, page, admin_user_with_password
):
    call_command("seed_demo", "--site-url", live_server.url, stdout=open("/dev/null", "w"))
    base = live_server.url

    number = shop_pages(page, base)
    order = Order.objects.get(number=number)
    assert order.exported  # Autodownload sent it to the books side when the checkout committed

    admin_login(page, base, "boss", "boss-password")
    for name, url in admin_pages(base, number):
        visit(page, url, name)
