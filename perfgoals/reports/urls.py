"""URLs of the reports app, mounted at /reports/."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("project/<int:pk>/", views.form_print, name="form_print"),
    path("project/<int:pk>/xlsx/", views.form_xlsx, name="form_xlsx"),
    path("department/<int:department_id>/<int:year>/summary/", views.summary_print, name="summary_print"),
    path("department/<int:department_id>/<int:year>/summary/xlsx/", views.summary_xlsx, name="summary_xlsx"),
    path("department/<int:department_id>/<int:year>/report/", views.report_print, name="report_print"),
    path("department/<int:department_id>/<int:year>/report/docx/", views.report_docx, name="report_docx"),
    path("department/<int:department_id>/<int:year>/wording/", views.wording, name="wording"),
    path("packages/", views.package_create, name="package_create"),
    path("packages/<int:pk>/status/", views.package_status, name="package_status"),
    path("packages/<int:pk>/download/", views.package_download, name="package_download"),
    path("packages/<int:pk>/rebuild/", views.package_rebuild, name="package_rebuild"),
]
