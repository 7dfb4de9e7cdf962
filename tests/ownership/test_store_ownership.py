"""Store admin: Bizuno-owned product fields are read-only unless local edits are allowed, and then logged."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bizunosync.store.models import LocalEdit, PriceTier, Product, StoreSettings
from tests.store.conftest import make_product

from .conftest import form_of

pytestmark = pytest.mark.django_db

NOTE = "Owned by Bizuno — change it there; the next Quick Refresh or upload overwrites edits made here."


def change_url(product):
    return reverse("admin:store_product_change", args=[product.pk])


def allow_local_edits(on=True):
    row = StoreSettings.load()
    row.allow_local_edits = on
    row.save()


def test_a_product_page_shows_the_ownership_note_and_bizuno_fields_read_only(boss_client, settings_row):
    product = make_product("TEA-1", price="10.00", tiers=[(10, "9.00")])
    html = boss_client.get(change_url(product)).content.decode()

    assert NOTE in html
    for owned in ("name", "regular_price", "sale_price", "stock_quantity", "stock_status", "weight", "length",
                  "short_description", "description", "categories", "tags", "attributes", "image"):
        assert f'name="{owned}"' not in html, owned
    assert "tiers-0-price" not in html and "gallery-__prefix__-image" not in html  # tier and gallery inlines locked
    for local in ("sku", "slug", "published", "menu_order", "manage_stock", "backorders", "search_code"):
        assert f'name="{local}"' in html, local


def test_posting_the_read_only_form_leaves_bizuno_fields_alone(boss_client, settings_row):
    product = make_product("TEA-1", price="10.00", tiers=[(10, "9.00")])
    data = form_of(boss_client.get(change_url(product)))
    data.update(name="Hacked", regular_price="1.00", menu_order="5")

    response = boss_client.post(change_url(product), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    assert (product.name, product.regular_price, product.menu_order) == ("Product TEA-1", Decimal("10.0000"), 5)
    assert list(PriceTier.objects.values_list("qty", "price")) == [(10, Decimal("9.0000"))]
    assert not LocalEdit.objects.exists()


def test_with_local_edits_allowed_bizuno_fields_are_editable_and_every_edit_is_recorded(
    boss_client, settings_row, admin_user_with_password
):
    product = make_product("TEA-1", price="10.00", tiers=[(10, "9.00")])
    allow_local_edits()
    page = boss_client.get(change_url(product))
    html = page.content.decode()
    assert 'name="regular_price"' in html and 'name="tiers-0-price"' in html
    assert NOTE in html and "Local edits are allowed" in html

    data = form_of(page)
    data.update({"name": "Black Tea", "regular_price": "8.00", "tiers-0-price": "7.50", "menu_order": "5"})
    response = boss_client.post(change_url(product), data, follow=True)

    product.refresh_from_db()
    assert (product.name, product.regular_price) == ("Black Tea", Decimal("8.0000"))
    assert product.price == Decimal("8.0000")  # what shoppers pay follows the edit
    edits = {e.field: (e.old_value, e.new_value, e.user) for e in LocalEdit.objects.all()}
    assert edits == {
        "Name": ("Product TEA-1", "Black Tea", admin_user_with_password),
        "Regular price": ("10.0000", "8.0000", admin_user_with_password),
        "Active price": ("10.0000", "8.0000", admin_user_with_password),
        "Price tiers": ("10+ at 9.0000", "10+ at 7.5000", admin_user_with_password),
    }  # menu_order is the store's own: not logged
    assert "Recorded 4 local edit(s) of Bizuno-owned fields" in response.content.decode()

    page = boss_client.get(change_url(product)).content.decode()
    assert "local edits of bizuno-owned fields" in page.lower() and "10+ at 7.5000" in page
    listing = boss_client.get(reverse("admin:store_localedit_changelist")).content.decode()
    assert "Regular price" in listing and "TEA-1" in listing and "8.0000" in listing


def test_turning_local_edits_off_locks_the_fields_again(boss_client, settings_row):
    product = make_product("TEA-1")
    allow_local_edits(True)
    assert 'name="regular_price"' in boss_client.get(change_url(product)).content.decode()
    allow_local_edits(False)
    assert 'name="regular_price"' not in boss_client.get(change_url(product)).content.decode()


def test_adding_a_product_here_is_not_blocked(boss_client, settings_row):
    html = boss_client.get(reverse("admin:store_product_add")).content.decode()
    assert 'name="name"' in html and 'name="regular_price"' in html and NOTE not in html
