"""URLs of 结果应用 (namespace ``results``), included at /results/ by config/urls.py."""

from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:region_pk>/<int:year>/", views.summary, name="summary"),
    path("<int:region_pk>/<int:year>/xlsx/", views.summary_xlsx, name="summary_xlsx"),
    path("project/<int:pk>/", views.project, name="project"),
]
