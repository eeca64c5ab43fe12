"""URLs of a signed-in user's account (no namespace: ``password_change``, ``password_change_done``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
