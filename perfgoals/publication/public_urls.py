"""The public pages of 公开 (namespace ``public``), included at /public/: no login needed."""

from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.public_index, name="index"),
    path("d/<int:department>/<int:year>/", views.public_department_year, name="department_year"),
    path("<str:slug>/", views.public_publication, name="publication"),
    path("<str:slug>/xlsx/", views.public_xlsx, name="xlsx"),
    path("<str:slug>/p/<int:project>/", views.public_project, name="project"),
]
