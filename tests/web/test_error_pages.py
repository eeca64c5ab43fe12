"""Error pages in Chinese, in the site's frame (hardening #17, item 5), with DEBUG off.

400, 403 (a refused view and a failed CSRF check), 404 and 500 each answer a Chinese page with the top
bar of the site; Django's English "Not Found", "403 Forbidden", "Bad Request" or "Server Error" is
never shown. The 500 page renders with no request context and no database.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import path, reverse

from config import errors
from config.urls import handler500  # noqa: F401  the test URLconf below answers errors as the site does
from config.urls import urlpatterns as site_urlpatterns

ENGLISH = ("Not Found", "Forbidden", "Bad Request", "Server Error", "CSRF verification failed")


def _raise(exception):
    def view(request):
        raise exception

    return view


# this module is the URLconf of the tests below: the site's URLs and four views that fail
urlpatterns = [
    path("boom/400/", _raise(SuspiciousOperation("bad"))),
    path("boom/403/", _raise(PermissionDenied())),
    path("boom/404/", _raise(Http404("No Project matches the given query."))),
    path("boom/500/", _raise(RuntimeError("boom"))),
    *site_urlpatterns,
]


@pytest.fixture
def error_site(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def assert_chinese_page(response, status: int, heading: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html, html[:500]
    assert 'class="topbar"' in html and "绩效目标与绩效自评系统" in html  # the site's frame
    assert '<html lang="zh-Hans">' in html
    for english in ENGLISH:
        assert english not in html, english
    return html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/boom/400/", 400, "请求无效"),
        ("/boom/403/", 403, "无权访问"),
        ("/boom/404/", 404, "页面不存在"),
        ("/no/such/page/", 404, "页面不存在"),
        ("/boom/500/", 500, "系统出现错误"),
    ],
)
def test_each_status_renders_chinese_for_visitors(error_site, url, status, heading):
    response = Client(raise_request_exception=False).get(url)
    assert_chinese_page(response, status, heading)


@pytest.mark.django_db
def test_a_signed_in_user_keeps_the_top_bar_on_an_error_page(error_site, demo, user_of):
    client = Client(raise_request_exception=False)
    client.force_login(user_of("unit_own"))
    html = assert_chinese_page(client.get("/no/such/page/"), 404, "页面不存在")
    assert "退出" in html  # the top bar of a signed-in user
    # a page the role may not open: the review queue for a unit user
    assert_chinese_page(client.get(reverse("perfgoals:review_queue")), 403, "无权访问")


@pytest.mark.django_db
def test_a_failed_csrf_check_is_explained_in_chinese(error_site):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    html = assert_chinese_page(response, 403, "无权访问")
    assert "刷新" in html  # what to do: reload the page and submit again


@pytest.mark.django_db
def test_a_host_not_allowed_answers_400_in_chinese(error_site, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = Client(raise_request_exception=False).get("/login/", HTTP_HOST="evil.example")
    assert_chinese_page(response, 400, "请求无效")


def test_the_500_page_needs_no_database_and_no_context():
    """No django_db mark: any query here fails the test."""
    response = errors.server_error(RequestFactory().get("/"))
    assert_chinese_page(response, 500, "系统出现错误")


def test_the_500_page_falls_back_to_plain_chinese_when_even_its_template_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert_chinese_page(response, 500, "系统出现错误")


@pytest.mark.django_db
def test_a_get_on_a_form_address_answers_405_in_chinese(error_site, demo, user_of):
    """Django answers 405 with an empty body (a blank page); the site gives its Chinese page."""
    client = Client(raise_request_exception=False)
    client.force_login(user_of("unit_own"))
    response = client.get(reverse("logout"))  # sign-out accepts POST only
    html = assert_chinese_page(response, 405, "不能这样打开此页面")
    assert "POST" in response["Allow"]
    assert "返回上一页" in html
