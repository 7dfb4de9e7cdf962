from django.urls import path

from .views import rates_view

urlpatterns = [path("shop/rates/", rates_view, name="shop-rates")]
