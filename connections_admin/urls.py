from django.contrib import admin
from django.urls import include, path, register_converter

from connections_admin.accounts.views import home
from connections_admin.core.converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    # The start page sends each role to its own landing page.
    path("", home, name="home"),
    path("accounts/", include("connections_admin.accounts.urls")),
    path("admin/activity/", include("connections_admin.audit.urls")),
    path("admin/connections/", include("connections_admin.connections.urls")),
    path("exports/", include("connections_admin.exports.urls")),
    path("enrichments/", include("connections_admin.enrichments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
