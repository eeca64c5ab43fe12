"""URLs of 整改 (namespace ``rectify``), included at /rectify/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "rectify"
urlpatterns = [
    path("", views.item_list, name="index"),
    path("new/<int:project_pk>/", views.open_item, name="open"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/evidence/", views.item_evidence, name="evidence"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/restore/", views.evidence_restore, name="evidence_restore"),
]
