from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.index, name="index"),
    path("template/<str:kind>.xlsx", views.template_download, name="template"),
    path("export.xlsx", views.export, name="export"),
    path("batch/<int:pk>/", views.batch_detail, name="batch"),
    path("batch/<int:pk>/progress.json", views.batch_progress, name="batch_progress"),
    path("batch/<int:pk>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("batch/<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("batch/<int:pk>/retry/", views.batch_retry, name="batch_retry"),
    path("rollover/", views.rollover, name="rollover"),
    path("rollover/project/<int:pk>/", views.rollover_compare, name="rollover_compare"),
    path("rollover/indicator/<int:pk>/apply/", views.apply_suggestion, name="apply_suggestion"),
    path("library/", views.library, name="library"),
    path("library/suggest", views.library_suggest, name="library_suggest"),
    path("library/<int:pk>/", views.library_entry, name="library_entry"),
]
