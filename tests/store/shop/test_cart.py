"""Adding to and changing the cart: the shopper sees the rule they broke, never a 500."""

from decimal import Decimal

import pytest

from bizunosync.store.models import StoreSettings

from .conftest import add

pytestmark = pytest.mark.django_db

PACK_MESSAGE = "This product is sold in packs of 12. Please order in multiples of 12 (e.g., 12, 24, 36)."


def cart_of(client):
    return client.session.get("cart", {})


def test_thirteen_egg_cups_are_refused_with_the_pack_message(client, egg_cups):
    response = add(client, egg_cups, "13")

    assert response.status_code == 200
    assert PACK_MESSAGE in response.content.decode()
    assert cart_of(client) == {}


def test_twenty_four_egg_cups_go_into_the_cart_at_the_tier_price(client, egg_cups):
    response = add(client, egg_cups, "24")
    assert response.status_code == 302
    assert cart_of(client) == {str(egg_cups.pk): 24}

    page = client.get("/cart/").content.decode()
    assert "$1.80" in page and "$43.20" in page  # 24 × 1.80, the 12+ tier
    assert "Sold in packages of 12" in page


def test_adding_more_counts_what_is_already_in_the_cart(client, egg_cups):
    add(client, egg_cups, "12")
    add(client, egg_cups, "36")

    assert cart_of(client) == {str(egg_cups.pk): 48}
    assert "$76.80" in client.get("/cart/").content.decode()  # 48 × 1.60


@pytest.mark.parametrize("qty, message", [
    ("abc", "Please enter the quantity as a whole number"),
    ("", "Please enter a quantity."),
    ("-3", "Please enter a quantity of at least 1."),
    ("0", "Please enter a quantity of at least 1."),
    ("1e9", "Please enter the quantity as a whole number"),
    ("99999999999999999999", "Please enter a quantity of at most 9999."),
    ("2.5", "Please enter the quantity as a whole number"),
])
def test_a_bogus_quantity_is_a_form_error(client, mug, qty, message):
    response = add(client, mug, qty)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert cart_of(client) == {}


def test_an_out_of_stock_product_cannot_be_bought(client, decaf):
    page = client.get(f"/product/{decaf.slug}/").content.decode()
    assert "Out of stock" in page and 'id="add-to-cart"' not in page

    response = add(client, decaf, "1")
    assert "is out of stock" in response.content.decode()
    assert cart_of(client) == {}


def test_more_than_the_stock_is_refused(client, mug):
    response = add(client, mug, "6")

    assert "only 5 of “Stoneware Mug” left in stock" in response.content.decode()


def test_the_products_backorders_setting_lets_an_out_of_stock_product_be_bought(client, decaf):
    decaf.backorders = "notify"
    decaf.save()

    assert "Available on backorder" in client.get(f"/product/{decaf.slug}/").content.decode()
    assert add(client, decaf, "3").status_code == 302
    assert cart_of(client) == {str(decaf.pk): 3}


def test_the_store_backorders_setting_lets_an_out_of_stock_product_be_bought(client, decaf):
    StoreSettings.objects.filter(pk=StoreSettings.load().pk).update(backorders="yes")

    assert add(client, decaf, "2").status_code == 302


def test_updating_the_cart_reprices_the_line_across_a_tier(client, tea):
    add(client, tea, "10")

    response = client.post("/cart/", {f"line-{tea.pk}-quantity": "50"}, follow=True)

    assert cart_of(client) == {str(tea.pk): 50}
    page = response.content.decode()
    assert "Cart updated." in page and "$280.00" in page  # 50 × 5.60


def test_updating_the_cart_to_a_broken_pack_keeps_the_old_quantity(client, egg_cups):
    add(client, egg_cups, "24")

    response = client.post("/cart/", {f"line-{egg_cups.pk}-quantity": "25"})

    assert response.status_code == 200
    assert PACK_MESSAGE in response.content.decode()
    assert cart_of(client) == {str(egg_cups.pk): 24}


@pytest.mark.parametrize("qty", ["abc", "-1", "100000", ""])
def test_updating_the_cart_with_garbage_is_a_form_error(client, mug, qty):
    add(client, mug, "2")

    response = client.post("/cart/", {f"line-{mug.pk}-quantity": qty})

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert cart_of(client) == {str(mug.pk): 2}


def test_zero_or_remove_takes_the_line_out(client, mug, tea):
    add(client, mug, "2")
    add(client, tea, "10")

    client.post("/cart/", {f"line-{mug.pk}-quantity": "0", f"line-{tea.pk}-quantity": "10"})
    assert cart_of(client) == {str(tea.pk): 10}

    response = client.post(f"/cart/remove/{tea.pk}/", follow=True)
    assert cart_of(client) == {}
    assert "Your cart is empty" in response.content.decode()


def test_the_product_page_shows_the_tier_table_and_pack_input(client, egg_cups):
    page = client.get(f"/product/{egg_cups.slug}/").content.decode()

    assert "Sold in packages of 12" in page
    assert "12–47" in page and "48+" in page and "$1.60" in page
    assert 'min="12" step="12"' in page


def test_a_pack_only_product_headlines_the_price_a_pack_actually_costs(client, egg_cups):
    page = client.get(f"/product/{egg_cups.slug}/").content.decode()

    headline = page.split('id="product-price"')[1].split("</p>")[0]
    assert "$1.80" in headline and "$1.95" not in headline
    assert "each, in packs of 12" in headline


def test_a_sale_shows_the_regular_price_struck_through(client):
    from .conftest import make_product

    skillet = make_product("PAN", "39.00", 4, sale="34.00", name="Skillet")

    page = client.get(f"/product/{skillet.slug}/").content.decode()

    assert "<del>" in page and "$39.00" in page and "$34.00" in page
    assert skillet.price == Decimal("34.00")


def test_search_and_category_list_the_right_products(client, egg_cups, mug, tea):
    by_search = client.get("/", {"q": "mug"}).content.decode()
    by_category = client.get("/category/kitchen/").content.decode()

    assert "Stoneware Mug" in by_search and "English Breakfast Tea" not in by_search
    assert "Beech Egg Cups" in by_category and "English Breakfast Tea" not in by_category


def test_the_catalog_costs_the_same_queries_for_more_products(client, django_assert_max_num_queries, egg_cups):
    from .conftest import make_product

    for i in range(12):
        make_product(f"X{i}", "3.00", 5, [(2, "2.50")])
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_unknown_products_and_categories_are_404s(client, db):
    assert client.get("/product/nope/").status_code == 404
    assert client.get("/category/nope/").status_code == 404
    assert client.post("/product/nope/add/", {"quantity": "1"}).status_code == 404


def test_a_variable_product_is_bought_as_the_chosen_option(client, db):
    from bizunosync.store.models import Product

    from .conftest import make_product

    apron = make_product("APRON", "29.00", 0, name="Canvas Apron", product_type="variable", manage_stock=False)
    navy = make_product("APRON-NAVY", "29.00", 4, name="Canvas Apron – Navy", product_type="variation", parent=apron,
                        attributes=[{"name": "Colour", "value": "Navy"}])
    make_product("APRON-SAND", "29.00", 0, name="Canvas Apron – Sand", product_type="variation", parent=apron,
                 attributes=[{"name": "Colour", "value": "Sand"}])

    page = client.get("/product/apron/").content.decode()
    assert "Navy" in page and "Sand" in page and "Choose an option" in page

    for bad in ("", "abc", str(Product.objects.get(sku="APRON-SAND").pk)):
        response = client.post("/product/apron/add/", {"quantity": "1", "variation": bad})
        assert response.status_code == 200
    assert cart_of(client) == {}

    assert client.post("/product/apron/add/", {"quantity": "2", "variation": str(navy.pk)}).status_code == 302
    assert cart_of(client) == {str(navy.pk): 2}


def test_the_shop_writes_the_configured_currency_symbol(client, egg_cups, settings):
    settings.SHOP_CURRENCY_SYMBOL = "€"

    page = client.get(f"/product/{egg_cups.slug}/").content.decode()

    assert "€1.80" in page and "$1.80" not in page
