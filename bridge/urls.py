from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without an icon link (a JSON answer, a PDF): no 404 in the log.
    path("favicon.ico", RedirectView.as_view(url=static("sync/favicon.svg"), permanent=True)),
    path("wp-json/bizuno-api/v1/", include("bizunosync.store.endpoints.urls")),
    path("bizuno/", include("bizunosync.books.portal.urls")),
    path("", include("bizunosync.store.rates.urls")),
    path("", include("bizunosync.store.shop.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
