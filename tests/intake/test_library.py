"""The indicator library: built from the seed projects, suggested while typing, curated by administrators."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from perfgoals.intake import services
from perfgoals.intake.library import name_key
from perfgoals.intake.models import LibraryIndicator
from perfgoals.models import Indicator
from perfgoals.project_years import IndicatorData, ProjectYearData, create_project_year
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(demo):
    services.build_library()
    return LibraryIndicator.objects.all()


def test_the_library_holds_the_seed_projects_indicators(library):
    keys = {services.name_key(name) for name in Indicator.objects.values_list("name", flat=True)}
    assert set(library.values_list("name_key", flat=True)) == keys
    entry = library.get(name_key="项目完成率")  # six Huancui projects have it
    assert entry.usage_count == Indicator.objects.filter(name="项目完成率").count() == 6
    assert (entry.level1, entry.level2, entry.typical_target, entry.unit, entry.direction) == (
        "output",
        "quantity",
        "100%",
        "%",
        "ge",
    )
    numbered = library.get(name_key="居民参保缴费人数")  # printed "1、居民参保缴费人数"
    assert numbered.name == "居民参保缴费人数" and numbered.unit == "万人"
    qualitative = library.get(name_key="参保居民保障及时性")
    assert qualitative.qualitative and qualitative.direction == "" and qualitative.typical_target == "及时"


def test_drafts_stay_out_of_the_library(library):
    unit = Project.objects.get(year=2019, name="困难群众医疗救助").unit
    create_project_year(
        unit,
        ProjectYearData(
            name="草稿项目",
            year=2030,
            indicators=[
                IndicatorData(level1="output", level2="quantity", name="尚未公开的指标", target_text="≥5台")
            ],
        ),
    )
    services.build_library()
    assert not LibraryIndicator.objects.filter(name="尚未公开的指标").exists()
    assert not LibraryIndicator.objects.filter(name_key=name_key("尚未公开的指标")).exists()


def test_curated_entries_keep_their_text_on_rebuild(library):
    entry = library.get(name_key="项目完成率")
    entry.curated = True
    entry.typical_target = "=100%"
    entry.usage_count = 1
    entry.save()
    LibraryIndicator.objects.create(
        name_key="手工条目", name="手工条目", level1="output", level2="quality", curated=True
    )
    LibraryIndicator.objects.create(name_key="过时条目", name="过时条目", level1="output", level2="quality")
    report = services.build_library()
    entry.refresh_from_db()
    assert entry.typical_target == "=100%" and entry.usage_count == 6
    assert LibraryIndicator.objects.filter(name_key="手工条目", usage_count=0).exists()
    assert not LibraryIndicator.objects.filter(name_key="过时条目").exists() and report.removed == 1


def test_suggestions_while_typing(library, yantai):
    found = services.suggest("满意度", user=yantai)
    assert found and all("满意度" in e.name for e in found) and len(found) <= 10
    narrowed = services.suggest("满意度", user=yantai, level1="satisfaction")
    assert narrowed and all(e.level1 == "satisfaction" for e in narrowed)
    LibraryIndicator.objects.filter(pk=found[0].pk).update(hidden=True)
    assert found[0].pk not in [e.pk for e in services.suggest("满意度", user=yantai)]
    assert services.suggest("  ", user=yantai) == []


def test_the_suggestion_endpoint_answers_json_and_htmx(client, library, yantai):
    url = reverse("intake:library_suggest")
    assert client.get(url, {"q": "满意度"}).status_code == 302  # login first
    client.force_login(yantai)
    data = client.get(url, {"q": "满意度", "level1": "满意度指标"}).json()
    assert data["query"] == "满意度" and data["results"]
    first = data["results"][0]
    assert {
        "name",
        "level1",
        "level1_name",
        "level2_name",
        "direction",
        "unit",
        "typical_target",
        "usage_count",
    } <= set(first)
    assert all(r["level1"] == "satisfaction" for r in data["results"])
    client.force_login(_huancui_user())  # 项目完成率 is the Huancui projects'
    fragment = client.get(url, {"q": "项目完成率"}, HTTP_HX_REQUEST="true")
    assert fragment["Content-Type"].startswith("text/html")
    assert "项目完成率" in fragment.content.decode() and "常见目标值 100%" in fragment.content.decode()
    assert client.get(url, {"q": "不存在的指标名"}).json()["results"] == []


def test_the_library_page_is_for_administrators(client, library, yantai):
    client.force_login(yantai)
    assert client.get(reverse("intake:library")).status_code == 403
    assert client.post(reverse("intake:library")).status_code == 403
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("intake:library"), {"q": "满意度"})
    assert page.status_code == 200 and "满意度" in page.content.decode()
    LibraryIndicator.objects.all().delete()
    response = client.post(reverse("intake:library"))
    assert response.status_code == 302 and LibraryIndicator.objects.exists()


def test_the_admin_lists_and_rebuilds_the_library(client, library):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("admin:intake_libraryindicator_changelist"))
    assert response.status_code == 200
    response = client.post(
        reverse("admin:intake_libraryindicator_changelist"),
        {"action": "mark_curated", "_selected_action": [library.first().pk]},
    )
    assert response.status_code == 302 and LibraryIndicator.objects.filter(curated=True).count() == 1
    assert client.get(reverse("admin:intake_importbatch_changelist")).status_code == 200


def test_a_split_target_is_shown_whole(library):
    entry = library.get(name_key="购买设备数量")  # Qinghai: ≥ | 5 | 台
    assert entry.typical_target == "≥5台" and entry.unit == "台" and entry.direction == "ge"


def _huancui_user():
    """A unit user of the region whose projects use 项目完成率."""
    from projects.models import Membership

    unit_id = Indicator.objects.filter(name="项目完成率").values_list("project__unit_id", flat=True)[0]
    return Membership.objects.filter(unit_id=unit_id).select_related("user").first().user


def test_another_regions_names_and_targets_are_not_suggested(client, library, yantai, settings):
    """#17: the library showed every region's indicator names and typical targets to any user."""
    url = reverse("intake:library_suggest")
    huancui = _huancui_user()
    assert services.regions_of(huancui) != services.regions_of(yantai)
    client.force_login(yantai)
    assert client.get(url, {"q": "项目完成率"}).json()["results"] == []
    assert services.suggest("项目完成率", user=yantai) == []
    client.force_login(huancui)
    found = client.get(url, {"q": "项目完成率"}).json()["results"]
    assert found and found[0]["typical_target"] == "100%"
    # sharing across regions is an explicit setting
    settings.INTAKE_LIBRARY_SHARED = True
    services.build_library()
    client.force_login(yantai)
    assert client.get(url, {"q": "项目完成率"}).json()["results"][0]["name"] == "项目完成率"
