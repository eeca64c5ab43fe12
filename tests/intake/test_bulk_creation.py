"""The set-based creation of project-years (issue #18): an imported file's new projects, fund lines,
evaluations and indicators are inserted as plain rows (perfgoals.bulk), with one history row each
carrying the importing user and the import's reason; the stored rows are exactly what the ORM and
recompute would have stored."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from perfgoals import bulk
from perfgoals.intake import services
from perfgoals.intake.importing import CREATED_REASON
from perfgoals.intake.models import ImportKind, LibraryName
from perfgoals.models import Evaluation, Indicator
from perfgoals.scoring import recompute
from projects.models import BudgetLine, Project

from .conftest import project_snapshot, unit_user, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值", "年度资金总额"]


def _file(name: str) -> bytes:
    return workbook_bytes(
        [
            HEADER,
            [2031, name, "产出指标", "数量指标", "新建学校数量", "≥3所", 50, 120],
            [2031, name, "效益指标", "社会效益指标", "入学率", "≥98%", 40, 120],
            [2031, name, "满意度指标", "服务对象满意度指标", "家长满意度", "≥90%", 10, 120],
        ]
    )


def _import(demo_unit, name="批量写入测试项目"):
    user = unit_user(demo_unit)
    plan, report = services.import_workbook(
        io.BytesIO(_file(name)), actor=services.Actor(user), kind=ImportKind.GOALS, source_name="t.xlsx"
    )
    assert plan.ok, [e.text() for e in plan.errors]
    return user, Project.objects.get(pk=report.created[0])


@pytest.fixture
def demo_unit(demo):
    return Project.objects.order_by("pk").first().unit


def test_every_created_row_has_one_history_row_with_the_user_and_the_reason(demo_unit):
    user, project = _import(demo_unit)

    indicators = list(project.indicators.order_by("order"))
    assert [i.order for i in indicators] == [1, 2, 3]
    assert [i.version for i in indicators] == [1, 1, 1]  # defaults filled as the ORM would
    records = list(Indicator.history.filter(project_id=project.pk))
    assert sorted(r.id for r in records) == sorted(i.pk for i in indicators)
    for history in (records, project.history.all(), project.evaluation.history.all()):
        assert {(r.history_type, r.history_change_reason, r.history_user_id) for r in history} == {
            ("+", CREATED_REASON, user.pk)
        }
    assert project.department_id == demo_unit.department_id
    assert project.region_id == demo_unit.department.region_id
    assert project.created_at is not None and project.evaluation.updated_at is not None


def test_the_created_rows_are_what_recompute_stores(demo_unit):
    _, project = _import(demo_unit)
    before = project_snapshot(project)
    history = Indicator.history.count()

    recompute(Project.objects.get(pk=project.pk))

    assert project_snapshot(Project.objects.get(pk=project.pk)) == before
    assert Indicator.history.count() == history
    evaluation = Evaluation.objects.get(project=project)
    assert evaluation.total_score is not None and evaluation.computed_at is not None
    line = BudgetLine.objects.get(project=project)
    assert line.annual == Decimal("120")


def test_insert_rows_fills_defaults_and_stores_json_and_texts_as_given(demo_unit):
    project = Project.objects.filter(unit=demo_unit).first()
    top = project.indicators.order_by("-order").first().order
    flags = ["方向由名称推测", "“引号”与中文"]
    count = bulk.insert_rows(
        Indicator,
        ["project_id", "order", "level1", "level2", "name", "target_text", "weight", "flags"],
        [(project.pk, top + 1, "output", "quantity", "直接写入的指标", "≥1个", Decimal("2.50"), flags)],
    )

    assert count == 1
    stored = Indicator.objects.get(project=project, order=top + 1)
    assert (stored.name, stored.weight, stored.flags, stored.version) == (
        "直接写入的指标",
        Decimal("2.50"),
        flags,
        1,
    )
    assert stored.actual_text == "" and stored.score is None and stored.not_applicable is False


def test_a_second_import_records_only_the_names_not_yet_known(demo_unit):
    _import(demo_unit, "第一个项目")
    services.update_library(list(Project.objects.filter(name="第一个项目").values_list("pk", flat=True)))
    known = LibraryName.objects.count()
    _, second = _import(demo_unit, "第二个项目")

    services.update_library([second.pk])

    assert LibraryName.objects.count() == known  # the same three names: nothing new, no conflict
    assert LibraryName.objects.filter(name="新建学校数量").count() == 1
