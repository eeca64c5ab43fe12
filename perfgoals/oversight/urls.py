"""URLs of the overview (namespace ``oversight``), included at /overview/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("mine/", views.unit_home, name="unit_home"),
]
