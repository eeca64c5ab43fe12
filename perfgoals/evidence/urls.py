"""URLs of 佐证材料 (namespace ``evidence``), included at /evidence/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("projects/<int:pk>/", views.project_evidence, name="project"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("<int:pk>/restore/", views.restore, name="restore"),
]
