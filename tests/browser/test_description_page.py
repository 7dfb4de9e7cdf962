"""A product page whose description came from Bizuno as HTML: uploaded from the books side over HTTP
(Product Upload, as Bizuno sends it), made safe at the store's edge, shown as formatted text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bizunosync.books.models import Item
from bizunosync.store.models import Product
from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from tests.books.console.conftest import connect
from tests.support.browser import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = (
    "<h3>Hand-thrown stoneware</h3>"
    "<p>Each mug is thrown on the wheel in our Potsdam workshop, so <b>no two are alike</b>. "
    "The glaze is <em>food-safe</em> and <strong>dishwasher-proof</strong>.</p>"
    "<ul><li>Holds 350 ml</li><li>Microwave-safe</li><li>Sold in packs of one</li></ul>"
    "<table><thead><tr><th>Size</th><th>Height</th><th>Diameter</th></tr></thead>"
    "<tbody><tr><td>Regular</td><td>9.5 cm</td><td>8 cm</td></tr></tbody></table>"
    '<p>See the <a href="https://example.com/care">care guide</a>.</p>'
    '<script>document.body.innerHTML = "hacked"</script>'
    '<p onclick="alert(1)">Made by hand.</p><iframe src="https://evil.example.com"></iframe>'
)


def test_a_bizuno_html_description_renders_formatted_and_nothing_in_it_runs(live_server, page, alice):
    connect(live_server.url)
    Item.objects.create(
        sku="MUG-HTML", description_short="Stoneware mug", description_sales="<p>A <em>sturdy</em> everyday mug.</p>",
        description_long=DESCRIPTION, full_price=Decimal("14.00"), qty_on_hand=12, sync_to_store=True,
    )
    job = jobs.create_job(SyncJob.Kind.PRODUCT_UPLOAD, target="t", params={"skus": ["MUG-HTML"], "mode": 3},
                          trigger=SyncJob.Trigger.STAFF)
    jobs.run_job(job.pk)
    product = Product.objects.get(sku="MUG-HTML")
    url = f"{live_server.url}/product/{product.slug}/"

    page.goto(url)

    assert page.locator(".prose h3").inner_text() == "Hand-thrown stoneware"
    assert page.locator(".prose b").inner_text() == "no two are alike"
    assert page.locator(".prose li").count() == 3 and page.locator(".prose td").first.inner_text() == "Regular"
    assert page.locator(".lead em").inner_text() == "sturdy"
    assert "hacked" not in page.content() and page.locator("iframe, .prose script, [onclick]").count() == 0
    assert "<b>" not in page.locator(".prose").inner_text()  # no literal tags for the shopper
    screenshot(page, "shop-product-html-description-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table does not push the page sideways
    screenshot(page, "shop-product-html-description-390")
