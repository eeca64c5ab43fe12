"""Signing in (hardening #17, item 1): password guessing is throttled, every sign-in, sign-out and
failure is recorded, and a signed-in user can change the password.

The issue: 60 wrong passwords, then the right one, signed in, and nothing was recorded. Now five
failures of one account from one address within the cool-off period lock that account at that address
(LOGIN_FAILURE_LIMIT), LOGIN_FAILURE_LIMIT_PER_ADDRESS failures of any accounts lock the address, and
the lockout page is Chinese, in the site's frame, with HTTP 429.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "Jixiao-2024-zhengque"
LOGIN = "/login/"


@pytest.fixture
def zhang():
    return get_user_model().objects.create_user("zhang", password=PASSWORD, first_name="张三")


def attempt(client: Client, password: str, username: str = "zhang", url: str = LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def assert_lockout_page(response) -> None:
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录已暂时锁定" in html and "15 分钟" in html
    assert 'class="topbar"' in html and '<html lang="zh-Hans">' in html
    assert "Account locked" not in html


def test_sixty_wrong_passwords_then_the_right_one_is_refused(zhang):
    client = Client()
    for _ in range(60):
        attempt(client, "wrong")
    response = attempt(client, PASSWORD)
    assert_lockout_page(response)
    assert not signed_in(client)
    assert AccessFailureLog.objects.filter(username="zhang").count() == 61


def test_the_fifth_failure_locks_the_account_at_this_address(zhang):
    client = Client()
    for number in range(1, 5):
        response = attempt(client, "wrong")
        assert response.status_code == 200, number
        assert "用户名或密码不正确" in response.content.decode()
    assert_lockout_page(attempt(client, "wrong"))
    assert_lockout_page(attempt(client, PASSWORD))
    assert not signed_in(client)


def test_the_lockout_ends_after_the_cool_off_period(zhang):
    client = Client()
    for _ in range(5):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_another_address_is_not_locked_out_of_the_same_account(zhang):
    for _ in range(5):
        attempt(Client(), "wrong", REMOTE_ADDR="10.1.1.1")
    assert attempt(Client(), PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 429
    client = Client()
    assert attempt(client, PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 302
    assert signed_in(client)


def test_many_accounts_tried_from_one_address_lock_the_address(zhang, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    client = Client()
    for number in range(8):
        attempt(client, "wrong", username=f"guess{number}", REMOTE_ADDR="10.3.3.3")
    assert_lockout_page(attempt(client, PASSWORD, REMOTE_ADDR="10.3.3.3"))
    assert attempt(Client(), PASSWORD, REMOTE_ADDR="10.4.4.4").status_code == 302


def test_the_admin_sign_in_is_throttled_too(zhang):
    zhang.is_staff = True
    zhang.save()
    client = Client()
    url = reverse("admin:login")
    for _ in range(5):
        attempt(client, "wrong", url=url)
    assert_lockout_page(attempt(client, PASSWORD, url=url))


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(zhang, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attempt(Client(), "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert AccessFailureLog.objects.latest("pk").ip_address == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    attempt(Client(), "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert AccessFailureLog.objects.latest("pk").ip_address == "203.0.113.9"
    attempt(Client(), "wrong", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.1")
    assert AccessFailureLog.objects.latest("pk").ip_address == "10.0.0.1"


def test_sign_in_and_sign_out_are_recorded(zhang):
    client = Client()
    attempt(client, PASSWORD, REMOTE_ADDR="10.5.5.5")
    login = AccessLog.objects.get(username="zhang")
    assert login.ip_address == "10.5.5.5" and login.logout_time is None
    client.post(reverse("logout"), REMOTE_ADDR="10.5.5.5")
    login.refresh_from_db()
    assert login.logout_time is not None
    actions = list(AuditEntry.objects.filter(object_id=str(zhang.pk)).values_list("action", "ip_address"))
    assert ("login", "10.5.5.5") in actions and ("logout", "10.5.5.5") in actions


def test_a_failure_is_recorded_with_its_address(zhang):
    attempt(Client(), "wrong", REMOTE_ADDR="10.6.6.6")
    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.locked_out) == ("zhang", "10.6.6.6", False)


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("loginrecord", ["登录记录", "登录时间", "退出时间", "IP 地址"]),
        ("loginfailure", ["登录失败记录", "失败时间", "已锁定"]),
        ("loginlockout", ["登录失败计数", "失败次数", "最近失败时间"]),
    ],
)
def test_the_admin_shows_the_records_in_chinese_read_only(zhang, admin_client, model, words):
    client = Client()
    attempt(client, "wrong")
    attempt(client, PASSWORD)
    response = admin_client.get(f"/admin/accounts/{model}/")
    html = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in html, word
    assert f"/admin/accounts/{model}/add/" not in html
    assert admin_client.get(f"/admin/accounts/{model}/add/").status_code == 403


def test_a_record_opens_read_only_in_chinese(zhang, admin_client):
    attempt(Client(), PASSWORD)
    record = AccessLog.objects.get(username="zhang")
    response = admin_client.get(f"/admin/accounts/loginrecord/{record.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录时间" in html and "浏览器" in html and 'name="_save"' not in html
    assert admin_client.post(f"/admin/accounts/loginrecord/{record.pk}/change/", {}).status_code == 403


# --- changing one's password ---------------------------------------------------------------------


def test_the_top_bar_links_to_the_password_page(zhang):
    client = Client()
    client.force_login(zhang)
    html = client.get(reverse("project_list")).content.decode()
    assert f'href="{reverse("password_change")}"' in html and "修改密码" in html


def test_a_signed_in_user_changes_the_password(zhang):
    client = Client()
    client.force_login(zhang)
    page = client.get(reverse("password_change"))
    html = page.content.decode()
    assert page.status_code == 200 and "修改密码" in html and "原密码" in html and 'class="topbar"' in html
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2025!", "new_password2": "Xin-Mima-2025!"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    done = client.get(response["Location"]).content.decode()
    assert "密码已修改" in done
    zhang.refresh_from_db()
    assert zhang.check_password("Xin-Mima-2025!")
    assert signed_in(client)  # the session survives its own password change
    entry = AuditEntry.objects.filter(object_id=str(zhang.pk), action="change").latest("pk")
    assert (
        "password" in entry.changes and "pbkdf2" not in str(entry.changes) and "md5" not in str(entry.changes)
    )


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_in_chinese(zhang):
    client = Client()
    client.force_login(zhang)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "123", "new_password2": "123"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "你的旧密码不正确" in html or "旧密码不正确" in html
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_visitors_are_sent_to_sign_in_for_the_password_page():
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
