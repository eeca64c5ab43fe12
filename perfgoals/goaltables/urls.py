"""URLs of the goal tables (namespace ``goaltables``), mounted at /goal-tables/."""

from django.urls import path

from . import views

app_name = "goaltables"
urlpatterns = [
    path("project/<int:pk>/", views.project_print, name="project_print"),
    path("project/<int:pk>/xlsx/", views.project_xlsx, name="project_xlsx"),
    path("department/<int:department_id>/<int:year>/", views.department_print, name="department_print"),
    path("department/<int:department_id>/<int:year>/xlsx/", views.department_xlsx, name="department_xlsx"),
]
