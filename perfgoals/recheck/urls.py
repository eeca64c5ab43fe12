"""URLs of 抽查复核 (namespace ``recheck``), included at /recheck/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "recheck"
urlpatterns = [
    path("", views.sample_list, name="index"),
    path("<int:pk>/", views.sample_detail, name="sample"),
    path("<int:pk>/xlsx/", views.sample_xlsx, name="sample_xlsx"),
    path("item/<int:pk>/", views.item_detail, name="item"),
    path("report/<int:region>/<int:year>/docx/", views.report_docx, name="report_docx"),
]
