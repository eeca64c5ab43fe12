"""The admin in Chinese (#16): filters and read-only fields name the engine's codes in words (定量, 正向（≥）,
按用语识别, 未设分值), never ge / quantitative / word / ["no_weight"], and no column is headed "Pk"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from perfgoals.models import Evaluation, Indicator

pytestmark = pytest.mark.django_db

RAW_CODES = ("quantitative", "qualitative", "deadline", ">ge<", ">le<", ">approx<", "no_weight", '"code"')


@pytest.fixture
def admin_web(demo):
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def visible_text(html: str) -> str:
    """The page's text and link targets without scripts (where codes may legitimately appear)."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<(input|option|select)[^>]*>", "", html)


def test_the_indicator_list_filters_by_chinese_names(admin_web):
    page = visible_text(admin_web.get("/admin/perfgoals/indicator/").content.decode())
    for label in ("指标值类型", "定量", "定性", "期限", "指标方向", "正向（≥）", "反向（≤）", "约等于（≈）"):
        assert label in page, label
    shown = re.sub(r'href="[^"]*"', "", page)
    for code in ("quantitative", "qualitative", ">ge<", ">le<", ">approx<"):
        assert code not in shown, code
    # the filters still filter, by the stored code
    response = admin_web.get("/admin/perfgoals/indicator/", {"target_kind": "qualitative"})
    rows = response.context["cl"].result_count
    assert rows == Indicator.objects.filter(target_kind="qualitative").count() > 0
    response = admin_web.get("/admin/perfgoals/indicator/", {"direction": "le"})
    assert response.context["cl"].result_count == Indicator.objects.filter(direction="le").count() > 0


def test_an_indicator_reads_in_words_and_stays_read_only(admin_web):
    indicator = Indicator.objects.filter(target_kind="quantitative", direction="approx", flags__len__gt=0)
    indicator = indicator.first() or Indicator.objects.filter(target_kind="quantitative").first()
    response = admin_web.get(f"/admin/perfgoals/indicator/{indicator.pk}/change/")
    page = re.sub(r'href="[^"]*"', "", visible_text(response.content.decode()))
    assert "定量" in page and indicator.direction_label in page
    for code in RAW_CODES:
        assert code not in page, code
    assert ".000000" not in page  # 3920000, not 3920000.000000
    fields = set(response.context["adminform"].form.fields)
    assert not {"target_kind", "direction", "direction_source", "actual_kind", "flags"} & fields


def test_an_evaluations_warnings_are_its_messages(admin_web):
    evaluation = Evaluation.objects.exclude(warnings=[]).first()
    page = admin_web.get(f"/admin/perfgoals/evaluation/{evaluation.pk}/change/").content.decode()
    assert evaluation.warnings[0]["message"] in page
    assert '"code"' not in visible_text(page) and "&quot;code&quot;" not in page
    assert (
        "warnings"
        not in admin_web.get(f"/admin/perfgoals/evaluation/{evaluation.pk}/change/")
        .context["adminform"]
        .form.fields
    )


def test_every_admin_column_and_filter_has_a_chinese_heading(demo):
    """No "Pk", no English field name: every column of every list and every filter is titled in Chinese."""
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="admin")
    chinese = re.compile(r"[\u4e00-\u9fff]")
    english = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.get_list_display(request):
            if name == "action_checkbox":
                continue
            label = str(label_for_field(name, model, model_admin))
            if not chinese.search(label):
                english.append(f"{model._meta.label}.{name}: {label}")
        for spec in model_admin.get_list_filter(request):
            if isinstance(spec, str):
                label = str(label_for_field(spec.split("__")[-1], _related_model(model, spec), model_admin))
            else:
                label = str(getattr(spec, "title", ""))
            if label and not chinese.search(label):
                english.append(f"{model._meta.label} filter {spec}: {label}")
    assert not english, english


def _related_model(model, path: str):
    for part in path.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    return model


def test_the_history_of_a_record_reads_in_chinese(admin_web):
    indicator = Indicator.objects.filter(target_kind="quantitative").first()
    indicator.actual_text = "93%"
    indicator.save()
    page = admin_web.get(f"/admin/perfgoals/indicator/{indicator.pk}/history/").content.decode()
    assert "变更内容" in page and "修改原因" in page and "共 2 条" in page
    assert "实际完成值（B）" in page  # the changed field by its name, not actual_text
    for english in ("Changes", ">None<", "Change reason", "entries"):
        assert english not in page, english


@pytest.mark.parametrize("language", ["en-US,en;q=0.9", "fr", "zh-TW"])
def test_django_s_own_texts_stay_chinese_whatever_the_browser_asks_for(demo, language):
    """LocaleMiddleware follows Accept-Language among LANGUAGES; with only 简体中文 there, an official
    whose browser asks for English still sees the admin and Django's form errors in Chinese."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    login = client.get("/admin/login/").content.decode()
    assert "用户名" in login and "Username" not in login and 'lang="zh-hans"' in login
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get("/admin/perfgoals/indicator/").content.decode()
    assert "首页" in page and "Home" not in page
