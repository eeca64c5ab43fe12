"""Numbers too large for their column (issue #17): refused at the preview with a clear message, at
their cell, never passed by the preview to fail at the confirmation."""

from __future__ import annotations

import io

import pytest

from perfgoals.choices import Status
from perfgoals.intake import services
from projects.models import Project

from .conftest import database_state, workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("string_table")]

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
RESULTS = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值"]
NINETEEN = "1234567890123456789"


def _goal(target="≥500人次", weight=40):
    return workbook_bytes([HEADER, [2024, "新项目", "产出指标", "数量指标", "培训人次", target, weight]])


@pytest.fixture
def entering(demo):
    project = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    project.evaluation.status = Status.ENTERING
    project.evaluation.save(update_fields=["status"])
    return project


CASES = {
    "a 19-digit target": (_goal(f"≥{NINETEEN}人次"), "goals", "F2", "数值过大"),
    "a target of 10^15 万人 (19 digits once in 人)": (
        _goal("≥1000000000000000万人"),
        "goals",
        "F2",
        "数值过大",
    ),
    "a 19-digit actual": (
        workbook_bytes(
            [
                RESULTS,
                [
                    2021,
                    "城乡居民医疗保险市级补助",
                    "产出指标",
                    "数量指标",
                    "保障已参保居民人数",
                    f"{NINETEEN}人",
                ],
            ]
        ),
        "results",
        "F2",
        "数值过大",
    ),
    "a weight of 123456": (_goal(weight=123456), "goals", "G2", "数值过大"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_number_too_large_for_its_column_is_refused_at_the_preview(case, entering, yantai):
    data, kind, cell, message = CASES[case]
    before = database_state()

    plan, report = services.import_workbook(io.BytesIO(data), actor=services.Actor(yantai), kind=kind)

    assert report is None
    assert [e for e in plan.errors if f"{e.column}{e.row}" == cell and message in e.message], [
        e.text() for e in plan.errors
    ]
    assert database_state() == before


def test_the_largest_numbers_that_fit_are_imported(entering, yantai):
    data = _goal("≥999999999999999999人次", weight=9999.99)
    plan, report = services.import_workbook(io.BytesIO(data), actor=services.Actor(yantai))
    assert report is not None, [e.text() for e in plan.errors]


def test_the_reader_knows_the_columns_of_the_models():
    """Each decimal field the reader converts is bounded by the column it lands in."""
    from perfgoals.intake.reader import DECIMAL_COLUMNS
    from perfgoals.models import Evaluation, Indicator
    from projects.models import BudgetLine, Project

    columns = {
        "weight": Indicator._meta.get_field("weight"),
        "score": Indicator._meta.get_field("reported_score"),
        "band_score": Indicator._meta.get_field("band_score"),
        "printed_execution_score": Evaluation._meta.get_field("printed_execution_score"),
        "printed_total": Evaluation._meta.get_field("printed_total"),
        "printed_execution_rate": Evaluation._meta.get_field("printed_execution_rate"),
        "procurement_amount": Project._meta.get_field("procurement_amount"),
        "total_budget": Project._meta.get_field("total_budget"),
    }
    money = BudgetLine._meta.get_field("annual")
    for code, (digits, places) in DECIMAL_COLUMNS.items():
        column = columns.get(code, money)
        assert (digits, places) == (column.max_digits - column.decimal_places, column.decimal_places), code


def test_the_messages_say_what_is_wrong(entering, yantai):
    plan, _ = services.import_workbook(
        io.BytesIO(CASES["a 19-digit target"][0]), actor=services.Actor(yantai)
    )
    assert [e.text() for e in plan.errors] == [
        f"工作表「Sheet1」第 2 行「指标值」列（F2）：指标值「≥{NINETEEN}人次」的数值过大："
        "换算后超过 18 位整数，无法保存。请检查是否多输了数字，或数字与单位（万、亿）是否重复。"
    ]
    plan, _ = services.import_workbook(
        io.BytesIO(CASES["a weight of 123456"][0]), actor=services.Actor(yantai)
    )
    assert [e.text() for e in plan.errors] == [
        "工作表「Sheet1」第 2 行「分值」列（G2）：「123456」数值过大：「分值」最多 4 位整数（小于 10,000），"
        "请检查是否多输了数字。"
    ]
