from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("wp-json/bizuno-api/v1/", include("bizunosync.store.endpoints.urls")),
    path("bizuno/", include("bizunosync.books.portal.urls")),
    path("", include("bizunosync.store.rates.urls")),
    path("", include("bizunosync.store.shop.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
