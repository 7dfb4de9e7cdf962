"""Bizuno's HTML descriptions: made safe once as they arrive, rendered as HTML on the product page."""

from importlib import import_module

import pytest
from django.apps import apps

from bizunosync.store.models import Product
from bizunosync.store.services.description_html import autop, clean

from .conftest import make_product, post

HOSTILE = [
    ('<p>Tea</p><script>alert("x")</script>', "<script", "alert"),
    ('<img src="https://shop.example.com/a.png" onerror="alert(1)">', "onerror", "alert"),
    ('<a href="javascript:alert(1)">Click</a>', "javascript:", "alert"),
    ('<a href="JaVaScRiPt:alert(1)">Click</a>', "script:", "alert"),
    ('<iframe src="https://evil.example.com"></iframe><p>Tea</p>', "<iframe", "evil"),
    ('<p style="width: expression(alert(1)); color: red">Tea</p>', "expression(", "alert"),
    ('<div style="background: url(javascript:alert(1))">Tea</div>', "url(", "alert"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:", "base64"),
    ('<svg><script>alert(1)</script></svg><form action="/x"><input name=a></form>', "<svg", "<form"),
]


@pytest.mark.parametrize("html, gone, also_gone", HOSTILE, ids=[h[1] for h in HOSTILE])
def test_nothing_that_runs_survives(html, gone, also_gone):
    safe = clean(html)

    assert gone not in safe.lower() and also_gone not in safe.lower()


def test_what_wp_kses_post_keeps_is_kept():
    html = ('<h3>Care</h3><p>Hand wash. <b>Never</b> <em>bleach</em>, <strong>dry flat</strong>.</p>'
            '<ul><li>Cotton</li><li>Linen</li></ul><ol start="2"><li>Two</li></ol>'
            '<p><a href="https://example.com/care" title="Care guide">Guide</a> · <a href="mailto:a@example.com">Mail</a></p>'
            '<p><img src="https://example.com/mug.jpg" alt="Mug" width="200"></p>'
            '<table><thead><tr><th scope="col">Size</th></tr></thead><tbody><tr><td colspan="2">L</td></tr></tbody></table>'
            '<p style="text-align: center">Centred</p><blockquote>Quote</blockquote>')

    safe = clean(html)

    for kept in ("<h3>Care</h3>", "<b>Never</b>", "<em>bleach</em>", "<strong>dry flat</strong>", "<li>Cotton</li>",
                 '<ol start="2">', 'href="https://example.com/care"', 'title="Care guide"', 'href="mailto:a@example.com"',
                 'src="https://example.com/mug.jpg"', 'alt="Mug"', '<th scope="col">', '<td colspan="2">',
                 'style="text-align: center"', "<blockquote>Quote</blockquote>"):
        assert kept in safe, kept
    assert 'rel="noopener noreferrer"' in safe  # links to elsewhere do not hand over the page


def test_plain_text_is_stored_escaped_and_shown_in_paragraphs():
    stored = clean("Mug 350 ml\nStoneware\n\nSize < 10 cm & dishwasher-safe")

    assert stored == "Mug 350 ml\nStoneware\n\nSize &lt; 10 cm &amp; dishwasher-safe"
    assert autop(stored) == "<p>Mug 350 ml<br>\nStoneware</p><p>Size &lt; 10 cm &amp; dishwasher-safe</p>"
    assert autop("<p>Own</p>\n<p>paragraphs</p>") == "<p>Own</p>\n<p>paragraphs</p>"


@pytest.mark.parametrize("text", ["<p><b>Bold</b> tea</p>", "<b>Inline</b> only", "Plain\n\nTwo", "", "<p>x</p><script>y",
                                  "a < b & c"])
def test_cleaning_twice_changes_nothing(text):
    assert clean(clean(text)) == clean(text)


@pytest.mark.django_db
def test_a_description_from_bizuno_is_stored_safe_and_the_product_page_renders_it(client, alice, settings_row):
    response = post(client, "product/update", {
        "SKU": "HTML-1", "Description": "Tea caddy", "DescriptionSales": "<p>A <em>tin</em> for tea</p>",
        "DescriptionLong": '<p><b>Airtight</b> lid.</p><script>steal()</script><img src="/x.png" onerror="steal()">',
        "Price": "12", "QtyStock": "5",
    })
    assert response.status_code == 200, response.content
    product = Product.objects.get(sku="HTML-1")

    page = client.get(f"/product/{product.slug}/").content.decode()

    assert product.description == '<p><b>Airtight</b> lid.</p><img src="/x.png">'
    assert '<div class="prose"><p><b>Airtight</b> lid.</p>' in page and "&lt;b&gt;" not in page
    assert '<div class="lead"><p>A <em>tin</em> for tea</p></div>' in page
    assert "steal()" not in page and "onerror" not in page


@pytest.mark.django_db
def test_descriptions_stored_before_are_made_safe_by_the_migration():
    raw = make_product("OLD-1", description="<p><b>Old</b></p><script>x()</script>", short_description="Line\nbreak")
    migration = import_module("bizunosync.store.migrations.0010_descriptions_made_safe_html")

    migration.clean_descriptions(apps, None)

    raw.refresh_from_db()
    assert (raw.description, raw.short_description) == ("<p><b>Old</b></p>", "Line\nbreak")
