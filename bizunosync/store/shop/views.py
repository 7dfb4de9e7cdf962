"""The storefront: thin views over cart, pricing and checkout services.

Form errors re-render the page (200) with the message next to the field; a
request that cannot be honoured at all (unknown product, bad id) is a 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bizunosync.store.models import Category, Order, Product, StoreSettings

from . import cart as carts
from . import pricing
from .checkout import ADDRESS_FIELDS, CheckoutRefused, ShippingChoice, demo_card_payment, place_order
from .forms import COUNTRIES, AddressForm, AddToCartForm, BillingForm, CartLineForm, ShippingForm
from .shipping import quote_for

SHOP_NAME = "Harbor & Pine Supply"
PER_PAGE = 12
ORDERS_KEY = "placed_orders"
ADDRESS_KEY = "checkout_address"


def _render(request, template, context=None, status=200):
    top = Category.objects.filter(parent=None).prefetch_related("children").order_by("name")
    base = {"shop_name": SHOP_NAME, "currency": settings.SHOP_CURRENCY_SYMBOL, "cart_count": carts.count(request.session), "nav_categories": top}
    return render(request, template, {**base, **(context or {})}, status=status)


def product_url(product: Product) -> str:
    return reverse("shop:product", args=[product.slug or product.sku])


def _listed():
    """What the catalog lists: published simple and variable products (variations sit under their parent)."""
    return (
        Product.objects.filter(published=True, parent=None)
        .exclude(product_type=Product.Type.VARIATION)
        .prefetch_related("tiers")
    )


def _decorate(products):
    for product in products:
        product.url = product_url(product)
        product.hue = (product.pk * 47) % 360  # a placeholder tint of its own, stable per product
        product.pack = pricing.pack_size(product)
        product.from_price = product.tiers_sorted[-1].price if product.tiers_sorted else None
        # Sold only in packs: the card shows what the smallest pack costs each, as the product page does
        # (the card said $1.95 while the page said $1.80).
        product.pack_price = pricing.unit_price(product, product.pack) if product.pack > 1 else None
    return products


def _descendant_ids(category: Category) -> list[int]:
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids += frontier
    return ids


def catalog(request, slug=None):
    products = _listed()
    category = None
    if slug:
        category = Category.objects.filter(slug=slug).order_by("parent_id", "pk").first()
        if category is None:
            raise Http404("No such category")
        products = products.filter(categories__in=_descendant_ids(category)).distinct()
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(sku__icontains=query) | Q(short_description__icontains=query)
            | Q(search_code__icontains=query) | Q(variations__sku__icontains=query)
        ).distinct()
    page = Paginator(products.order_by("menu_order", "name"), PER_PAGE).get_page(request.GET.get("page"))
    _decorate(page.object_list)
    return _render(request, "shop/catalog.html", {
        "category": category, "query": query, "page": page, "products": page.object_list,
    })


def _find_product(slug: str) -> Product:
    listed = _listed()
    product = listed.filter(slug=slug).order_by("pk").first() or listed.filter(sku=slug).first()
    if product is None:
        raise Http404("No such product")
    return product


def _stock_label(product: Product, store) -> tuple[str, str]:
    """(css class, words) for the stock line."""
    allowed = pricing.backorders_allowed(product, store)
    if product.stock_status == Product.StockStatus.OUT_OF_STOCK and not allowed:
        return "out", "Out of stock"
    if product.stock_status != Product.StockStatus.IN_STOCK or (
        product.manage_stock and product.stock_quantity is not None and product.stock_quantity <= 0
    ):
        return "backorder", "Available on backorder"
    if product.manage_stock and product.stock_quantity is not None:
        return "in", f"In stock — {product.stock_quantity} available"
    return "in", "In stock"


def product_detail(request, slug, form=None, variation_error=None, chosen=None, status=200):
    product = _find_product(slug)
    store = StoreSettings.load()
    variations = []
    if product.product_type == Product.Type.VARIABLE:
        variations = list(product.variations.filter(published=True).prefetch_related("tiers").order_by("menu_order", "sku"))
        for variation in variations:
            variation.label = ", ".join(str(a.get("value", "")) for a in variation.attributes if isinstance(a, dict)) or variation.name
            variation.stock = _stock_label(variation, store)
    product.hue = (product.pk * 47) % 360
    buyable = pricing.is_purchasable(product) and _stock_label(product, store)[0] != "out"
    if variations:
        buyable = any(v.stock[0] != "out" for v in variations)
    in_cart = carts.quantity_of(request.session, product)
    form = form or AddToCartForm(product=product, store=store, in_cart=in_cart)
    tiers = product.tiers_sorted
    rows = [{"qty": t.qty, "price": t.price, "next": (tiers[i + 1].qty - 1) if i + 1 < len(tiers) else None}
            for i, t in enumerate(tiers)]
    on_sale = product.sale_price is not None and product.regular_price is not None and product.sale_price < product.regular_price
    return _render(request, "shop/product.html", {
        "product": product, "form": form, "tiers": rows, "pack": pricing.pack_size(product),
        "pack_price": pricing.unit_price(product, pricing.pack_size(product)) if rows else None,
        "stock": _stock_label(product, store), "buyable": buyable, "on_sale": on_sale, "in_cart": in_cart,
        "variations": variations, "variation_error": variation_error, "chosen": chosen,
        "categories": list(product.categories.all()),
    }, status=status)


@require_POST
def cart_add(request, slug):
    parent = _find_product(slug)
    store = StoreSettings.load()
    product = parent
    if parent.product_type == Product.Type.VARIABLE:
        chosen = (request.POST.get("variation") or "").strip()
        product = parent.variations.filter(published=True, pk=int(chosen)).first() if chosen.isdigit() else None
        if product is None:
            return product_detail(request, slug, variation_error="Please choose an option.",
                                  form=AddToCartForm(request.POST, product=parent, store=store))
    in_cart = carts.quantity_of(request.session, product)
    form = AddToCartForm(request.POST, product=product, store=store, in_cart=in_cart)
    if not form.is_valid():
        return product_detail(request, slug, form=form, chosen=product.pk if product is not parent else None)
    qty = form.cleaned_data["quantity"]
    carts.set_quantity(request.session, product, in_cart + qty)
    messages.success(request, f"{qty} × “{product.name}” added to your cart.")
    return redirect(product_url(parent))


@require_http_methods(["GET", "POST"])
def cart_view(request):
    store = StoreSettings.load()
    cart = carts.load(request.session, store)
    forms = {line.product.pk: CartLineForm(prefix=f"line-{line.product.pk}", product=line.product, store=store,
                                           initial={"quantity": line.quantity}) for line in cart.lines}
    if request.method == "POST":
        forms = {line.product.pk: CartLineForm(request.POST, prefix=f"line-{line.product.pk}", product=line.product,
                                               store=store) for line in cart.lines}
        if all(f.is_valid() for f in forms.values()):
            items = carts.raw(request.session)
            for pk, form in forms.items():
                items[pk] = form.cleaned_data["quantity"]
            carts.save(request.session, items)
            messages.success(request, "Cart updated.")
            return redirect("shop:cart")
    for line in cart.lines:
        line.form = forms[line.product.pk]
        line.url = product_url(line.product.parent or line.product)
    return _render(request, "shop/cart.html", {"cart": cart})


@require_POST
def cart_remove(request, pk):
    items = carts.raw(request.session)
    if pk in items:
        product = Product.objects.filter(pk=pk).first()
        carts.remove(request.session, pk)
        messages.success(request, f"“{product.name if product else 'Item'}” removed from your cart.")
    return redirect("shop:cart")


def _shipping_address(billing: BillingForm, shipping: ShippingForm) -> dict:
    data = shipping.cleaned_data if billing.cleaned_data.get("ship_elsewhere") else billing.cleaned_data
    return {k: data.get(k, "") for k in ADDRESS_FIELDS}


def _rates_context(cart, address: dict, chosen: str) -> dict:
    result = quote_for(address, cart.weight)
    ids = [r.id for r in result.rates]
    picked = chosen if chosen in ids else (ids[0] if ids and not chosen else "")
    shipping = next((r.quote for r in result.rates if r.id == picked), Decimal(0))
    return {
        "quoted": True, "rates": result.rates, "rates_notice": result.notice, "chosen_rate": picked,
        "rates_changed": bool(chosen) and chosen not in ids, "grand_total": cart.subtotal + cart.tax + shipping,
    }


def _checkout_fragment(request, cart):
    """The shipping step alone, for shop.js: quoted as soon as the destination is readable."""
    ship_elsewhere = bool(request.POST.get("ship_elsewhere"))
    address = AddressForm(request.POST, prefix="shipping" if ship_elsewhere else None)
    context = {"cart": cart, "base_total": cart.subtotal + cart.tax}
    if address.is_valid() or (not address.has_error("postcode") and not address.has_error("country")):
        data = {k: (address.cleaned_data.get(k) or "") for k in ADDRESS_FIELDS}
        context.update(_rates_context(cart, data, request.POST.get("shipping_method", "")))
    return _render(request, "shop/_rates.html", context)


@require_http_methods(["GET", "POST"])
def checkout(request):
    store = StoreSettings.load()
    cart = carts.load(request.session, store)
    if not cart:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("shop:cart")
    if request.method == "POST" and request.headers.get("X-Requested-With") == "fetch":
        return _checkout_fragment(request, cart)
    context = {"cart": cart, "base_total": cart.subtotal + cart.tax}
    if request.method == "GET":
        saved = request.session.get(ADDRESS_KEY) or {}
        context.update(billing=BillingForm(initial=saved.get("billing")), shipping=ShippingForm(initial=saved.get("shipping")))
        return _render(request, "shop/checkout.html", context)

    billing, shipping = BillingForm(request.POST), ShippingForm(request.POST)
    valid = billing.is_valid()
    if valid and not billing.cleaned_data["ship_elsewhere"]:
        shipping = ShippingForm()  # hidden and unused: do not show its errors
    elif valid:
        valid = shipping.is_valid()
    context.update(billing=billing, shipping=shipping)
    if not valid:
        return _render(request, "shop/checkout.html", context)

    destination = _shipping_address(billing, shipping)
    request.session[ADDRESS_KEY] = {
        "billing": billing.cleaned_data, "shipping": shipping.cleaned_data if billing.cleaned_data["ship_elsewhere"] else {},
    }
    chosen = request.POST.get("shipping_method", "")
    context.update(_rates_context(cart, destination, chosen))
    if request.POST.get("action") != "place":
        return _render(request, "shop/checkout.html", context)

    choice = None
    if context["rates"]:
        rate = next((r for r in context["rates"] if r.id == chosen), None)
        if rate is None:
            context["rate_error"] = ("The shipping options have changed. Please choose one again."
                                     if context["rates_changed"] else "Please choose a shipping method.")
            return _render(request, "shop/checkout.html", context)
        choice = ShippingChoice(rate.id, rate.title, Decimal(rate.quote))
    if request.POST.get("payment_method") != "demo_card":
        context["payment_error"] = "Please choose a payment method."
        return _render(request, "shop/checkout.html", context)

    data = billing.cleaned_data
    try:
        order = place_order(
            {line.product.pk: line.quantity for line in cart.lines},
            billing={**{k: data[k] for k in ADDRESS_FIELDS}, "email": data["email"], "phone": data["phone"]},
            shipping=destination, shipping_choice=choice, payment=demo_card_payment(), note=data["note"],
        )
    except CheckoutRefused as refused:
        context["order_problems"] = refused.problems
        return _render(request, "shop/checkout.html", context)
    carts.clear(request.session)
    request.session[ORDERS_KEY] = (request.session.get(ORDERS_KEY) or [])[-19:] + [order.number]
    return redirect("shop:thanks", number=order.number)


def thanks(request, number):
    # Only the session that placed the order sees it: numbers are guessable.
    if number not in (request.session.get(ORDERS_KEY) or []):
        raise Http404("No such order")
    order = Order.objects.prefetch_related("lines").filter(number=number).first()
    if order is None:
        raise Http404("No such order")
    countries = dict(COUNTRIES)
    return _render(request, "shop/thanks.html", {
        "order": order, "lines": list(order.lines.all()),
        "billing_country": countries.get(order.billing_country, order.billing_country),
        "shipping_country": countries.get(order.shipping_country, order.shipping_country),
    })
