from decimal import Decimal

import pytest

from bizunosync.wire import phpform
from bizunosync.wire import product_update as pu
from bizunosync.wire.fields import FieldError
from bizunosync.wire.product_refresh import Tier
from tests.phpcli import needs_php, run_php

# A master-stock product as Bizuno's productToStore/prepVariations sends it.
BIZUNO_PRODUCT_PHP = r"""
echo http_build_query(['data' => [
  'SKU'=>'TS-1','Type'=>'ms','Description'=>'T-Shirt','DescriptionSales'=>'Soft tee','Price'=>'15.5',
  'QtyStock'=>'7','Weight'=>'0.5','WeightUOM'=>'KG','ProductLength'=>'30','DimensionUOM'=>'cm','MenuOrder'=>'',
  'WooCommerceCategory'=>'Clothes|Tops;Sale:Summer','WooCommerceTags'=>'cotton|summer',
  'Attributes'=>[['index'=>'fabric','title'=>'Fabric','value'=>'Cotton'],['index'=>'','title'=>'x','value'=>'y']],
  'invAccessory'=>['CAP-1',''],
  'invOptions'=>['attributes'=>[['name'=>'Size','options'=>['S','M']]],
                 'variations'=>[['sku'=>'TS-1-S','sale_price'=>'14','weight'=>'0.5','stock'=>'3','attributes'=>['Size'=>'S']],
                                ['sku'=>'TS-1-M','sale_price'=>'','weight'=>'0.5','stock'=>'4','attributes'=>['Size'=>'M']]]],
  'ProductImageDirectory'=>'shirts/','ProductImageFilename'=>'ts1.jpg','ProductImageData'=>base64_encode('JPEG'),
  'Images'=>[['Title'=>'Back','Path'=>'shirts/','Filename'=>'ts1b.jpg','Data'=>base64_encode('JPG2')],
             ['Title'=>'None','Path'=>'','Filename'=>'x.jpg','Data'=>'']],
  'sendMode'=>'2', 'SomethingNew'=>'ignored',
]]);
"""


@needs_php
@pytest.mark.php
def test_it_reads_a_master_stock_product_as_bizuno_sends_it():
    product = pu.read(phpform.decode(run_php(BIZUNO_PRODUCT_PHP).decode())["data"])
    assert product.sku == "TS-1" and product.is_variable and product.name == "T-Shirt"
    assert product.price == Decimal("15.5") and product.qty_stock == 7
    assert product.weight_uom == "kg" and product.dimension_uom == "cm" and product.menu_order is None
    assert product.category_paths == [["Clothes", "Tops"], ["Sale", "Summer"]]
    assert product.tag_names == ["cotton", "summer"]
    assert product.attributes == [pu.Attribute("fabric", "Fabric", "Cotton")]  # rows without index are skipped
    assert product.accessories == ["CAP-1"]
    assert product.option_attributes == [pu.OptionAttribute("Size", ["S", "M"])]
    assert [(v.sku, v.sale_price, v.stock, v.attributes) for v in product.variations] == [
        ("TS-1-S", Decimal("14"), 3, {"Size": "S"}), ("TS-1-M", None, 4, {"Size": "M"})]
    assert product.image == pu.Image("ts1.jpg", "SlBFRw==", "shirts/")
    assert product.images == [pu.Image("ts1b.jpg", "SlBHMg==", "shirts/", "Back")]  # no data, no image
    assert product.send_mode == pu.SEND_KEEP_IMAGES


def test_the_descriptions_fall_back_as_the_plugin_does():
    product = pu.read({"SKU": "A", "Description": "Name"})
    assert product.short_description == "Name" and product.long_description == ""
    assert pu.read({"SKU": "A", "DescriptionSales": "Short"}).long_description == "Short"


@pytest.mark.parametrize("mode", ["", "0", "4", "9"])
def test_an_unknown_send_mode_behaves_as_full(mode):
    assert pu.read({"SKU": "A", "sendMode": mode}).send_mode == pu.SEND_FULL


def test_tiers_are_sorted_by_quantity():
    product = pu.read({"SKU": "A", "PriceTiers": [{"qty": "10", "price": "8"}, {"qty": "1", "price": "9"}]})
    assert product.tiers == [Tier(1, Decimal("9")), Tier(10, Decimal("8"))]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "SKU"),
        ({"SKU": ""}, "SKU"),
        ({"SKU": "A" * 65}, "SKU"),
        ({"SKU": "A", "Price": "-1"}, "Price"),
        ({"SKU": "A", "QtyStock": "many"}, "QtyStock"),
        ({"SKU": "A", "WeightUOM": "stone"}, "WeightUOM"),
        ({"SKU": "A", "DimensionUOM": "furlong"}, "DimensionUOM"),
        ({"SKU": "A", "PriceTiers": [{"qty": "0", "price": "1"}]}, "PriceTiers[0].qty"),
        ({"SKU": "A", "Images": "a.jpg"}, "Images"),
        ({"SKU": "A", "Images": [{"Data": "eA=="}]}, "Images[0].Filename"),
        ({"SKU": "A", "invOptions": {"variations": [{"sku": ""}]}}, "invOptions.variations[0].sku"),
        ({"SKU": "A", "invOptions": {"variations": [{"sku": "V", "stock": "x"}]}}, "invOptions.variations[0].stock"),
        ({"SKU": "A", "invOptions": {"attributes": [{"options": ["S"]}]}}, "invOptions.attributes[0].name"),
        ({"SKU": "A", "invAccessory": "B"}, "invAccessory"),
        ("SKU=A", "data"),
    ],
)
def test_a_bad_product_names_the_field(data, field):
    with pytest.raises(FieldError) as caught:
        pu.read(data)
    assert caught.value.field == field


def test_an_over_deep_product_is_refused():
    deep = "x"
    for _ in range(12):
        deep = [deep]
    with pytest.raises(FieldError, match="nested too deeply"):
        pu.read({"SKU": "A", "Attributes": deep})


def test_a_built_product_reads_back_the_same():
    product = pu.ProductUpdate(
        "TS-1", type="ms", description="T", price=Decimal("15.50"), tiers=[Tier(2, Decimal("14"))], qty_stock=3,
        weight=Decimal("0.5"), weight_uom="kg", category="A|B", attributes=[pu.Attribute("f", "Fabric", "Cotton")],
        accessories=["CAP"], option_attributes=[pu.OptionAttribute("Size", ["S"])],
        variations=[pu.Variation("TS-1-S", {"Size": "S"}, sale_price=Decimal("14"), stock=2)],
        image=pu.Image("a.jpg", "eA==", "p/"), images=[pu.Image("b.jpg", "eQ==", "p/", "B")], send_mode=pu.SEND_DATA_ONLY,
    )
    body = phpform.encode({"data": pu.build(product)})
    assert pu.read(phpform.decode(body)["data"]) == product


def test_a_product_without_tiers_or_extras_sends_none_of_them():
    built = pu.build(pu.ProductUpdate("A", price=Decimal("1")))
    assert built == {"SKU": "A", "Type": "si", "Price": "1", "sendMode": "1"}
