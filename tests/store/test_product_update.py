"""product/update: one product from Bizuno, created or updated by SKU (PROTOCOL §2.3)."""

import base64
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from bizunosync.store.models import Category, PriceTier, Product, ProductImage, Tag
from bizunosync.sync.models import InboundCall
from bizunosync.sync.touched import refs_of

from .conftest import ALICE, BASE, make_product, post

pytestmark = pytest.mark.django_db


def png(colour="red", size=(40, 30)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def clean_media():
    root = Path(settings.MEDIA_ROOT)
    yield
    for p in sorted(root.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()


def update(client, **fields):
    return post(client, "product/update", {"SKU": "TEA-1", "Description": "Black Tea", **fields})


def test_it_creates_a_product_and_answers_with_its_id(client, alice, settings_row):
    response = update(client, Price="6.90", QtyStock="40", DescriptionSales="Strong tea", DescriptionLong="Long text")
    body = response.json()
    product = Product.objects.get(sku="TEA-1")
    assert response.status_code == 200
    assert body["result"] == "Success" and body["ID"] == product.pk
    assert (product.name, product.short_description, product.description) == ("Black Tea", "Strong tea", "Long text")
    assert (product.regular_price, product.price, product.sale_price) == (Decimal("6.9"), Decimal("6.9"), None)
    assert (product.stock_quantity, product.stock_status, product.menu_order) == (40, "instock", 99)
    assert product.slug == "black-tea"


def test_it_updates_the_same_product_by_sku(client, alice, settings_row):
    existing = make_product("TEA-1", price="5.00", sale_price=Decimal("4"))
    body = update(client, Price="6.90", QtyStock="0", WooCommerceSlug="Tea Black", MenuOrder="3").json()
    product = Product.objects.get(sku="TEA-1")
    assert body["ID"] == existing.pk and Product.objects.count() == 1
    assert (product.price, product.sale_price, product.stock_quantity, product.stock_status) == (Decimal("6.9"), None, 0, "outofstock")
    assert (product.slug, product.menu_order) == ("tea-black", 3)


def test_descriptions_fall_back_as_the_plugin_does(client, alice, settings_row):
    update(client, DescriptionSales="Short only")
    product = Product.objects.get(sku="TEA-1")
    assert (product.short_description, product.description) == ("Short only", "Short only")
    post(client, "product/update", {"SKU": "TEA-2", "Description": "Green"})
    product = Product.objects.get(sku="TEA-2")
    assert (product.name, product.short_description) == ("Green", "Green")


def test_weights_and_sizes_are_converted_to_the_store_units(client, alice, settings_row):
    update(client, Weight="2", WeightUOM="lb", ProductLength="10", ProductWidth="1", ProductHeight="3", DimensionUOM="in")
    product = Product.objects.get(sku="TEA-1")
    assert product.weight == Decimal("0.9072")
    assert (product.length, product.width, product.height) == (Decimal("25.4"), Decimal("2.54"), Decimal("7.62"))


def test_category_breadcrumbs_are_created_under_their_parents(client, alice, settings_row):
    Category.objects.create(name="Pantry", slug="pantry")
    update(client, WooCommerceCategory="Pantry|Tea|Black;Gifts:Tea")
    tea = Category.objects.get(name="Tea", parent__name="Pantry")
    black = Category.objects.get(name="Black")
    assert black.parent == tea and Category.objects.filter(name="Pantry").count() == 1
    assert Category.objects.get(name="Tea", parent__name="Gifts")
    names = set(Product.objects.get(sku="TEA-1").categories.values_list("name", flat=True))
    assert names == {"Pantry", "Tea", "Black", "Gifts"}


def test_a_missing_category_gets_the_plugins_warning(client, alice, settings_row):
    body = update(client).json()
    assert "the category was not passed for product: TEA-1" in body["message"]["warning"][0]["text"]


def test_tags_are_added_to_the_existing_ones(client, alice, settings_row):
    product = make_product("TEA-1")
    product.tags.add(Tag.objects.create(name="old", slug="old"))
    update(client, WooCommerceTags="organic|gift")
    assert set(product.tags.values_list("name", flat=True)) == {"old", "organic", "gift"}
    update(client, WooCommerceTags="legacy;style")
    assert {"legacy", "style"} <= set(product.tags.values_list("name", flat=True))


def test_attributes_related_skus_and_metadata_are_stored(client, alice, settings_row):
    make_product("MUG-1")
    update(client, Attributes=[{"index": "origin", "title": "Origin", "value": "Assam"}, {"index": "", "title": "skip"}],
           AttributeCategory="Tea", invAccessory=["MUG-1", "NOT-HERE"], SearchCode="assam", MetaDescription="Good tea")
    product = Product.objects.get(sku="TEA-1")
    assert product.attributes == [{"index": "origin", "name": "Origin", "value": "Assam", "group": "Tea"}]
    assert list(product.related.values_list("sku", flat=True)) == ["MUG-1"]
    assert (product.search_code, product.meta_description) == ("assam", "Good tea")


def test_related_skus_that_are_unknown_are_reported(client, alice, settings_row):
    body = update(client, invAccessory=["NOT-HERE"]).json()
    warnings = [m["text"] for m in body["message"]["warning"]]
    assert "Related SKUs not found in the store: NOT-HERE" in warnings


def test_price_tiers_are_stored_sorted_and_cleared_when_absent(client, alice, settings_row):
    update(client, Price="2", PriceTiers=[{"qty": "48", "price": "1.60"}, {"qty": "12", "price": "1.80"}])
    product = Product.objects.get(sku="TEA-1")
    assert [(t.qty, t.price) for t in product.tiers_sorted] == [(12, Decimal("1.8")), (48, Decimal("1.6"))]
    assert product.pack_size == 12
    update(client, Price="2")
    assert not PriceTier.objects.exists()


def test_a_master_stock_item_becomes_a_variable_product_with_variations(client, alice, settings_row):
    options = {
        "attributes": [{"name": "Colour", "options": ["Olive", "Navy"]}],
        "variations": [
            {"sku": "AP-OL", "sale_price": "27", "stock": "4", "attributes": {"Colour": "Olive"}},
            {"sku": "AP-NV", "regular_price": "29", "sale_price": "", "stock": "0", "attributes": {"Colour": "Navy"}},
        ],
    }
    body = post(client, "product/update", {"SKU": "AP", "Description": "Apron", "Type": "ms", "Price": "29",
                                           "invOptions": options}).json()
    apron = Product.objects.get(sku="AP")
    assert body["ID"] == apron.pk and apron.product_type == "variable"
    assert {"name": "Colour", "options": ["Olive", "Navy"], "variation": True} in apron.attributes
    olive, navy = Product.objects.get(sku="AP-OL"), Product.objects.get(sku="AP-NV")
    assert (olive.parent, olive.product_type, olive.price, olive.regular_price) == (apron, "variation", Decimal("27"), Decimal("29"))
    assert (olive.stock_quantity, navy.stock_status) == (4, "outofstock")
    assert navy.name == "Apron – Navy"

    options["variations"] = options["variations"][:1]
    post(client, "product/update", {"SKU": "AP", "Description": "Apron", "Type": "ms", "invOptions": options})
    assert list(apron.variations.values_list("sku", flat=True)) == ["AP-OL"]


def test_turning_a_variable_product_simple_deletes_its_variations(client, alice, settings_row):
    apron = make_product("AP", product_type="variable")
    make_product("AP-OL", product_type="variation", parent=apron)
    body = post(client, "product/update", {"SKU": "AP", "Description": "Apron", "Type": "si"}).json()
    assert body["result"] == "Success"
    assert Product.objects.get(sku="AP").product_type == "simple"
    assert not Product.objects.filter(sku="AP-OL").exists()


def test_a_variation_sku_owned_by_another_product_is_refused_and_nothing_is_written(client, alice, settings_row):
    make_product("MUG-1")
    options = {"variations": [{"sku": "MUG-1", "attributes": {"Colour": "Red"}}]}
    response = post(client, "product/update", {"SKU": "AP", "Description": "Apron", "Type": "ms", "invOptions": options})
    assert response.status_code == 400
    assert "invOptions.variations[0].sku" in response.json()["message"]
    assert not Product.objects.filter(sku="AP").exists()


def test_a_missing_sku_fails_as_the_plugin_does(client, alice):
    body = post(client, "product/update", {"Description": "No SKU"}).json()
    assert body["result"] == "Fail"
    assert body["message"]["error"][0]["text"].startswith("Bad SKU passed.")


def test_images_are_stored_under_products_and_thumbnails_are_made(client, alice, settings_row, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = update(client, ProductImageDirectory="tea/black", ProductImageFilename="tea.png", ProductImageData=png(),
                      Images=[{"Title": "Side", "Path": "tea", "Filename": "side.png", "Data": png("blue")}]).json()
    product = Product.objects.get(pk=body["ID"])
    assert product.image.name == "products/tea/black/tea.png"
    assert [g.image.name for g in product.gallery.all()] == ["products/tea/side.png"]
    files = media_files()
    assert {"products/tea/black/tea.png", "products/tea/side.png"} <= files
    assert "products/tea/black/thumbs/tea-thumb.png" in files  # made by the task (immediate backend in tests)


def test_send_mode_2_keeps_existing_images_and_mode_3_sends_no_images(client, alice, settings_row):
    update(client, ProductImageFilename="a.png", ProductImageData=png())
    update(client, ProductImageFilename="b.png", ProductImageData=png("green"), sendMode="2")
    assert Product.objects.get(sku="TEA-1").image.name == "products/a.png"
    update(client, ProductImageFilename="c.png", ProductImageData=png("green"), sendMode="3")
    assert Product.objects.get(sku="TEA-1").image.name == "products/a.png"
    update(client, ProductImageFilename="d.png", ProductImageData=png("green"), sendMode="1")
    assert Product.objects.get(sku="TEA-1").image.name == "products/d.png"


def test_a_file_name_without_an_image_extension_gets_the_real_one(client, alice, settings_row):
    update(client, ProductImageFilename="evil.html", ProductImageData=png())
    assert Product.objects.get(sku="TEA-1").image.name == "products/evil.png"


def test_a_huge_blob_that_is_not_an_image_is_refused_and_nothing_is_written(client, alice, settings_row):
    blob = base64.b64encode(os.urandom(3 * 1024 * 1024)).decode()
    response = update(client, Price="5", ProductImageFilename="x.jpg", ProductImageData=blob)
    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"ProductImageData": "is not an image (JPEG, PNG, GIF or WebP)"}
    assert not Product.objects.exists() and media_files() == set()


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes that announce a gigantic image: a decompression bomb's header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_as_too_many_pixels_and_nothing_is_written(client, alice, settings_row):
    bomb = base64.b64encode(_png_claiming(50_000, 50_000)).decode()

    response = update(client, Price="5", ProductImageFilename="x.png", ProductImageData=bomb)

    assert response.status_code == 400
    assert "too many pixels" in response.json()["data"]["params"]["ProductImageData"]
    assert not Product.objects.exists() and media_files() == set()


def test_base64_that_is_not_base64_is_refused(client, alice, settings_row):
    response = update(client, ProductImageFilename="x.jpg", ProductImageData="%%%not base64%%%")
    assert response.status_code == 400 and "ProductImageData" in response.json()["message"]


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"ProductImageDirectory": "../../etc", "ProductImageFilename": "x.png"}, "ProductImageDirectory"),
        ({"ProductImageDirectory": "a/../..", "ProductImageFilename": "x.png"}, "ProductImageDirectory"),
        ({"ProductImageDirectory": "/tmp", "ProductImageFilename": "x.png"}, "ProductImageDirectory"),
        ({"ProductImageDirectory": "C:/Windows", "ProductImageFilename": "x.png"}, "ProductImageDirectory"),
        ({"ProductImageFilename": "../x.png"}, "ProductImageFilename"),
        ({"ProductImageFilename": "/etc/x.png"}, "ProductImageFilename"),
        ({"ProductImageFilename": "x.png\x00.txt"}, "ProductImageFilename"),
        ({"ProductImageDirectory": "a\\..\\..", "ProductImageFilename": "x.png"}, "ProductImageDirectory"),
    ],
)
def test_an_image_path_that_escapes_the_media_folder_is_refused(client, alice, settings_row, fields, field):
    response = update(client, ProductImageData=png(), **fields)
    assert response.status_code == 400
    assert field in response.json()["data"]["params"]
    assert not Product.objects.exists() and media_files() == set()
    assert not (Path(settings.MEDIA_ROOT).parent / "x.png").exists()


def test_a_gallery_path_escaping_the_media_folder_is_named_by_its_position(client, alice, settings_row):
    response = update(client, Images=[{"Path": "..", "Filename": "x.png", "Data": png()}])
    assert response.status_code == 400
    assert "Images[0].Path" in response.json()["data"]["params"]


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"QtyStock": "abc"}, "QtyStock"),
        ({"Price": "-1"}, "Price"),
        ({"Price": "99999999999"}, "Price"),
        ({"PriceTiers": [{"qty": "0", "price": "1"}]}, "PriceTiers[0].qty"),
        ({"SKU": "S" * 10_000}, "SKU"),
        ({"WeightUOM": "stone", "Weight": "1"}, "WeightUOM"),
        ({"Weight": "heavy"}, "Weight"),
    ],
)
def test_a_bad_value_is_answered_400_naming_the_field_and_nothing_is_written(client, alice, settings_row, fields, field):
    response = update(client, **fields)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param" and body["data"]["status"] == 400
    assert list(body["data"]["params"]) == [field]
    assert not Product.objects.exists()


def test_unknown_fields_are_ignored(client, alice, settings_row):
    body = update(client, Flavour="smoky", Nested={"deep": {"er": "x"}}).json()
    assert body["result"] == "Success"


def test_a_nesting_deeper_than_any_real_payload_is_refused(client, alice, settings_row):
    deep = {"SKU": "TEA-1"}
    node = deep
    for _ in range(30):
        node["x"] = {}
        node = node["x"]
    node["y"] = "1"
    response = post(client, "product/update", deep)
    assert response.status_code == 400
    assert not Product.objects.exists()


def test_the_update_is_recorded_with_the_touched_product(client, alice, settings_row):
    body = update(client).json()
    call = InboundCall.objects.get()
    assert (call.endpoint, call.result) == ("product/update", "success")
    assert refs_of(call) == ([f"store.product:{body['ID']}"], 1)


def test_the_endpoint_only_takes_post(client, alice):
    response = client.put(BASE + "product/update", "data%5BSKU%5D=X", content_type="application/x-www-form-urlencoded", **ALICE)
    assert response.status_code == 405 and response.json()["data"]["status"] == 405


def test_the_gallery_rows_are_replaced_in_full_mode(client, alice, settings_row, django_capture_on_commit_callbacks):
    update(client, Images=[{"Filename": "1.png", "Data": png()}, {"Filename": "2.png", "Data": png()}])
    with django_capture_on_commit_callbacks(execute=True):
        update(client, Images=[{"Filename": "3.png", "Data": png()}])
    assert list(ProductImage.objects.values_list("image", flat=True)) == ["products/3.png"]
    assert "products/1.png" not in media_files()


def test_a_breadcrumb_deeper_than_ten_levels_is_refused_before_any_category_is_made(client, alice, settings_row):
    deep = "|".join(str(n) for n in range(400))  # 1,489 characters: within the field's length
    response = post(client, "product/update", {"SKU": "DEEP-1", "WooCommerceCategory": deep})

    assert response.status_code == 400
    assert response.json()["data"]["params"] == {"WooCommerceCategory": "has a breadcrumb 400 levels deep (at most 10)"}
    assert not Category.objects.exists() and not Product.objects.filter(sku="DEEP-1").exists()


def test_a_ten_level_breadcrumb_is_still_accepted(client, alice, settings_row):
    crumb = "|".join(f"Level {n}" for n in range(10))
    response = post(client, "product/update", {"SKU": "TEN-1", "WooCommerceCategory": crumb})

    assert response.status_code == 200 and Category.objects.count() == 10
