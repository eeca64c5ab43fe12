"""URLs of the project list and the starting page, without a namespace (``home``, ``project_list``):
included at the site's root by config/urls.py."""

from django.urls import path

from . import lists

urlpatterns = [
    path("", lists.home, name="home"),
    path("projects/", lists.ProjectListView.as_view(), name="project_list"),
]
