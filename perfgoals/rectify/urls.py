"""URLs of 整改 (namespace ``rectify``), included at /rectify/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "rectify"
urlpatterns = [
    path("", views.item_list, name="index"),
    path("new/<int:project_pk>/", views.open_item, name="open"),
    path("<int:pk>/", views.item_detail, name="item"),
]
