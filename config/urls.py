"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("reports/", include("perfgoals.reports.urls")),
    path("import/", include("perfgoals.intake.urls")),
    path("", include("perfgoals.urls")),
    path("", include("perfgoals.list_urls")),
    path("", include("projects.urls")),
]

handler500 = "config.errors.server_error"
