"""URLs of the department's 公开 page (namespace ``publication``), included at /publication/."""

from django.urls import path

from . import views

app_name = "publication"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("<int:department>/<int:year>/<str:kind>/", views.publish, name="publish"),
    path("withdraw/<int:pk>/", views.withdraw, name="withdraw"),
]
