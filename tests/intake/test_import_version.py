"""An import changes a project-year's content as the entry page does: it moves Evaluation.version, so a
page opened before the import cannot submit over the imported values unseen (see perfgoals.workflow)."""

from __future__ import annotations

import io

import pytest

from perfgoals.choices import Status
from perfgoals.intake import services
from perfgoals.intake.models import ImportKind
from perfgoals.models import Evaluation
from projects.models import Project

from .conftest import workbook_bytes

pytestmark = pytest.mark.django_db

RESULTS_HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值"]


def _results(actual: str) -> bytes:
    return workbook_bytes(
        [
            RESULTS_HEADER,
            [2021, "城乡居民医疗保险市级补助", "产出指标", "数量指标", "保障已参保居民人数", actual],
        ]
    )


def _entering() -> Evaluation:
    project = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    Evaluation.objects.filter(project=project).update(status=Status.ENTERING)
    return Evaluation.objects.get(project=project)


def test_a_results_import_moves_the_version_with_a_reason(demo, yantai):
    evaluation = _entering()
    before = evaluation.version

    plan, report = services.import_workbook(
        io.BytesIO(_results("基本完成")), actor=services.Actor(yantai), kind=ImportKind.RESULTS
    )

    assert report.results == [evaluation.project_id], [e.text() for e in plan.errors]
    evaluation.refresh_from_db()
    assert evaluation.version == before + 1
    record = evaluation.history.filter(version=before + 1).order_by("history_id").first()  # then recompute's
    assert record.history_change_reason == "导入完成情况（Excel 文件）"


def test_a_results_import_that_changes_nothing_leaves_the_version(demo, yantai):
    evaluation = _entering()
    actual = evaluation.project.indicators.get(level2="quantity", name="保障已参保居民人数").actual_text
    before = evaluation.version

    services.import_workbook(
        io.BytesIO(_results(actual)), actor=services.Actor(yantai), kind=ImportKind.RESULTS
    )

    evaluation.refresh_from_db()
    assert evaluation.version == before


def test_replacing_a_draft_moves_the_version(demo, yantai):
    def goals(target: str) -> bytes:
        return workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"],
                [2024, "新项目", "产出指标", "数量指标", "培训人次", target, 90],
            ]
        )

    _, created = services.import_workbook(io.BytesIO(goals("≥100人次")), actor=services.Actor(yantai))
    evaluation = Evaluation.objects.get(project_id=created.created[0])
    before = evaluation.version

    _, replaced = services.import_workbook(io.BytesIO(goals("≥120人次")), actor=services.Actor(yantai))

    assert replaced.replaced == [evaluation.project_id]
    evaluation.refresh_from_db()
    assert evaluation.version == before + 1
