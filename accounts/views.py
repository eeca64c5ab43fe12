"""The password page of a signed-in user: Django's own views with the site's Chinese templates."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: the old password, the new one twice, checked by AUTH_PASSWORD_VALIDATORS. The session
    stays signed in; the change is in the audit log (password: changed, never its value)."""

    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
