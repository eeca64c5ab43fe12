"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("reports/", include("perfgoals.reports.urls")),
    path("import/", include("perfgoals.intake.urls")),
    path("overview/", include("perfgoals.oversight.urls")),
    path("recheck/", include("perfgoals.recheck.urls")),
    path("evidence/", include("perfgoals.evidence.urls")),
    path("results/", include("perfgoals.results.urls")),
    path("rectify/", include("perfgoals.rectify.urls")),
    path("publication/", include("perfgoals.publication.urls")),
    path("goal-tables/", include("perfgoals.goaltables.urls")),
    # the public pages of 公开: no login (the views are marked login_not_required)
    path("public/", include("perfgoals.publication.public_urls")),
    path("", include("perfgoals.urls")),
    path("", include("perfgoals.list_urls")),
    path("", include("projects.urls")),
    path("", include("accounts.urls")),
]

# Chinese, and rendered without context or database (400, 403 and 404: the templates of those names)
handler500 = "config.errors.server_error"
