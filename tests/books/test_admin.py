"""The bookkeeper's admin pages open and show what matters."""

import pytest
from django.urls import reverse

from bizunosync.books.models import Item, PriceLevel, PriceSheet, SalesOrder, Shipment, Package, ShippingRateRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(db):
    sheet = PriceSheet.objects.create(name="Retail", is_default=True)
    item = Item.objects.create(sku="AB-100", description_short="Hammer", full_price="10", qty_on_hand=5)
    PriceLevel.objects.create(sheet=sheet, item=item, qty=1, price="10")
    PriceLevel.objects.create(sheet=sheet, item=item, qty=10, price="9")
    first = SalesOrder.objects.create(journal="so", po_reference="WC1001", possible_duplicate=True, total="12")
    SalesOrder.objects.create(journal="inv", po_reference="WC1002", total="8")
    shipment = Shipment.objects.create(sales_order=first, carrier="FedEx", service="Ground")
    Package.objects.create(shipment=shipment, tracking_number="1Z999")
    ShippingRateRule.objects.create(rate_id="fedex:GND", title="FedEx Ground", price="12.40")
    return item


@pytest.mark.parametrize(
    "model", ["item", "pricesheet", "pricelevel", "customer", "salesorder", "shipment", "shippingraterule"]
)
def test_every_books_list_page_opens(admin_client, books, model):
    response = admin_client.get(reverse(f"admin:books_{model}_changelist"))
    assert response.status_code == 200


def test_the_portal_settings_open_straight_on_their_one_form(admin_client, db):
    response = admin_client.get(reverse("admin:books_portalsettings_changelist"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:books_portalsettings_change", args=[1])
    assert "API token" in response.content.decode()


def test_the_orders_list_says_which_are_invoices_and_flags_duplicates(admin_client, books):
    page = admin_client.get(reverse("admin:books_salesorder_changelist")).content.decode()
    assert "Sales order" in page and "Invoice" in page
    assert "Possible duplicate" in page


def test_the_orders_list_filters_possible_duplicates(admin_client, books):
    page = admin_client.get(reverse("admin:books_salesorder_changelist") + "?possible_duplicate__exact=1").content.decode()
    assert "WC1001" in page and "WC1002" not in page


def test_an_item_page_shows_its_price_levels_and_available_stock(admin_client, books):
    page = admin_client.get(reverse("admin:books_item_change", args=[books.pk])).content.decode()
    assert "price levels" in page.lower()
    assert 'name="price_levels-1-qty" value="10"' in page


def test_a_shipment_list_shows_tracking_numbers(admin_client, books):
    page = admin_client.get(reverse("admin:books_shipment_changelist")).content.decode()
    assert "1Z999" in page and "WC1001" in page


def test_the_stock_filter_finds_items_with_nothing_available(admin_client, books):
    Item.objects.create(sku="ZZ-0", description_short="Gone", qty_on_hand=2, qty_on_sales_orders=2)
    page = admin_client.get(reverse("admin:books_item_changelist") + "?stock=out").content.decode()
    assert "ZZ-0" in page and "AB-100" not in page


def test_staff_can_set_the_portal_token_in_the_admin_and_see_it_masked(admin_client, django_user_model):
    from bizunosync.books.models import PortalSettings

    api = django_user_model.objects.create_user("bizuno-api")
    PortalSettings.load()
    url = reverse("admin:books_portalsettings_change", args=[1])

    response = admin_client.post(url, {"api_user": api.pk, "new_token": "typed-in-admin-123", "download_as": "auto"})

    assert response.status_code == 302
    portal = PortalSettings.load()
    assert (portal.token_plain, portal.api_user) == ("typed-in-admin-123", api)
    page = admin_client.get(url).content.decode()
    assert "typed-in-admin-123" not in page
    assert "ty••••••23" in page


def test_a_blank_token_field_keeps_the_current_token(admin_client, django_user_model):
    from bizunosync.books.models import PortalSettings

    portal = PortalSettings.load()
    portal.set_token("keep-me-please")
    portal.save()

    admin_client.post(reverse("admin:books_portalsettings_change", args=[1]), {"api_user": "", "new_token": "", "download_as": "auto"})

    assert PortalSettings.load().token_plain == "keep-me-please"


def test_the_booked_document_shows_the_mapped_carrier_and_payment_method(admin_client, db):
    order = SalesOrder.objects.create(journal="inv", po_reference="WC1003", shipping_method="FedEx Ground",
                                      carrier_code="fedex:GND", payment_method="stripe", payment_code="payfabric")

    page = admin_client.get(reverse("admin:books_salesorder_change", args=[order.pk])).content.decode()
    listing = admin_client.get(reverse("admin:books_salesorder_changelist")).content.decode()

    assert "Bizuno carrier" in page and 'value="fedex:GND"' in page
    assert "Bizuno payment method" in page and 'value="payfabric"' in page
    assert "FedEx Ground → <code>fedex:GND</code>" in listing


def test_a_method_mapped_twice_in_another_case_is_refused_in_the_admin(admin_client, db):
    from bizunosync.books.models import ShippingMethodMap

    ShippingMethodMap.objects.create(store_method="Flat rate", bizuno_carrier="flat:std")
    response = admin_client.post(reverse("admin:books_shippingmethodmap_add"),
                                 {"store_method": "FLAT RATE", "bizuno_carrier": "ups:GND"})

    assert response.status_code == 200
    assert "This store method is already mapped (case is ignored)." in response.content.decode()
    assert ShippingMethodMap.objects.count() == 1


def test_the_portal_settings_say_why_refuse_a_duplicate_po_is_on(admin_client, db):
    page = admin_client.get(reverse("admin:books_portalsettings_changelist"), follow=True).content.decode()

    assert "Refuse a duplicate PO" in page
    assert "without booking twice" in page


def test_staff_choose_download_as_in_the_portal_settings_and_the_next_order_follows_it(admin_client, db):
    from bizunosync.books.models import PortalSettings

    PortalSettings.load()
    url = reverse("admin:books_portalsettings_change", args=[1])
    page = admin_client.get(url).content.decode()
    assert "Download as" in page and "Always a sales order" in page and "Always an invoice" in page
    assert "Auto: an invoice when every line is in stock, else a sales order" in page

    response = admin_client.post(url, {"api_user": "", "new_token": "", "download_as": "so",
                                       "refuse_duplicate_po": "on"})

    assert response.status_code == 302
    assert PortalSettings.load().download_as == "so"


def test_a_download_as_that_is_not_a_choice_is_refused_in_the_admin(admin_client, db):
    from bizunosync.books.models import PortalSettings

    PortalSettings.load()
    response = admin_client.post(reverse("admin:books_portalsettings_change", args=[1]),
                                 {"api_user": "", "new_token": "", "download_as": "12"})

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert PortalSettings.load().download_as == "auto"
