from django.urls import include, path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.catalog, name="home"),
    path("category/<str:slug>/", views.catalog, name="category"),
    path("product/<str:slug>/", views.product_detail, name="product"),
    path("product/<str:slug>/add/", views.cart_add, name="cart_add"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/remove/<int:pk>/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/order-received/<str:number>/", views.thanks, name="thanks"),
    # GET /shop/rates/: the rates service's JSON for the checkout script.
    path("", include("bizunosync.store.rates.urls")),
]
