"""A corpus of malformed workbooks: each gets its own clear message and leaves the database as it was."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from perfgoals.choices import Status
from perfgoals.intake import services
from perfgoals.intake.models import ImportKind
from projects.models import Project

from .conftest import database_state, workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("string_table")]

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
#: with the columns of what the user decides: 评定档次 H, 档次内得分 I, 指标方向（人工确认） J, 不适用 K
CHOICES_HEADER = [*HEADER, "评定档次", "档次内得分", "指标方向（人工确认）", "不适用"]
RESULT_CHOICES_HEADER = [
    "年度",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "实际完成值",
    "分值",
    "评定档次",
    "档次内得分",
]


def _good(name: str = "新项目", year: int = 2024) -> list[list]:
    return [
        [year, name, "产出指标", "数量指标", "培训人次", "≥500人次", 40],
        [year, name, "效益指标", "社会效益指标", "群众知晓率", "明显提高", 30],
        [year, name, "满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", 20],
    ]


def _xlsx_with(setup) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Sheet1"
    setup(workbook, ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _formula(workbook, ws):
    for row in [HEADER, *_good()]:
        ws.append(row)
    ws["G3"] = "=SUM(G2,10)"


def _error_value(workbook, ws):
    for row in [HEADER, *_good()]:
        ws.append(row)
    ws["G4"] = "#DIV/0!"


def _empty(workbook, ws):
    pass


# name → (workbook bytes, kind, the message, (sheet, row, column) where it must point, or None)
CASES = {
    "unknown headers": (
        workbook_bytes([["名称", "数值", "备注"], ["甲", "1", "x"]]),
        "goals",
        "找不到表头",
        ("Sheet1", None, None),
    ),
    "missing 指标值 column": (
        workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "分值"],
                [2024, "P", "产出指标", "数量指标", "x", 5],
            ]
        ),
        "goals",
        "表头缺少「指标值」列",
        ("Sheet1", 1, None),
    ),
    "missing 三级指标 column": (
        workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "指标值"],
                [2024, "P", "产出指标", "数量指标", "5台"],
            ]
        ),
        "goals",
        "表头缺少「三级指标」列",
        ("Sheet1", 1, None),
    ),
    "text in the 分值 column": (
        workbook_bytes(
            [HEADER, *_good()[:1], [2024, "新项目", "产出指标", "质量指标", "合格率", "≥95%", "五分"]]
        ),
        "goals",
        "「五分」不是数字",
        ("Sheet1", 3, "G"),
    ),
    "text in the 年度 column": (
        workbook_bytes([HEADER, ["明年", "新项目", "产出指标", "数量指标", "培训人次", "≥500人次", 40]]),
        "goals",
        "不是有效的年度",
        ("Sheet1", 2, "A"),
    ),
    "negative weight": (
        workbook_bytes([HEADER, [2024, "新项目", "产出指标", "数量指标", "培训人次", "≥500人次", -5]]),
        "goals",
        "是负数",
        ("Sheet1", 2, "G"),
    ),
    "merged across 三级指标 and 指标值": (
        workbook_bytes([HEADER, *_good()], merges=["E3:F3"]),
        "goals",
        "横跨「三级指标」和「指标值」",
        ("Sheet1", 3, "E"),
    ),
    "merged from the header into the data": (
        workbook_bytes([HEADER, *_good()], merges=["A1:A3"]),
        "goals",
        "从表头延伸到了数据行",
        ("Sheet1", 1, "A"),
    ),
    "merged 分值 down two rows": (
        workbook_bytes([HEADER, *_good()], merges=["G2:G3"]),
        "goals",
        "合并了 2 行",
        ("Sheet1", 2, "G"),
    ),
    "an empty sheet": (_xlsx_with(_empty), "goals", "工作表「Sheet1」是空的", None),
    "a formula cell": (_xlsx_with(_formula), "goals", "是公式「=SUM(G2,10)」", ("Sheet1", 3, "G")),
    "an error value": (_xlsx_with(_error_value), "goals", "错误值", ("Sheet1", 4, "G")),
    "CSV renamed to .xlsx": (
        "年度,项目名称\n2024,甲\n".encode(),
        "goals",
        "不是 Excel 工作簿（.xlsx）",
        None,
    ),
    "an old .xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "goals",
        "Excel 97-2003（.xls）",
        None,
    ),
    "a zip that is not a workbook": (
        _zip({"readme.txt": b"hello"}),
        "goals",
        "是压缩包，不是 Excel 工作簿",
        None,
    ),
    "a Word document": (
        _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}),
        "goals",
        "是Word 文档",
        None,
    ),
    "a damaged workbook": (b"PK\x03\x04" + b"\x00garbage" * 50, "goals", "已损坏", None),
    "an empty file": (b"", "goals", "文件是空的", None),
    "unknown level 1": (
        workbook_bytes([HEADER, [2024, "新项目", "投入指标", "数量指标", "培训人次", "≥500人次", 40]]),
        "goals",
        "「投入指标」不是一级指标",
        ("Sheet1", 2, "C"),
    ),
    "level 2 under the wrong level 1": (
        workbook_bytes([HEADER, [2024, "新项目", "产出指标", "社会效益指标", "知晓率", "≥90%", 40]]),
        "goals",
        "二级指标「社会效益指标」不属于一级指标「产出指标」",
        ("Sheet1", 2, "D"),
    ),
    "a target without an indicator name": (
        workbook_bytes([HEADER, *_good(), [2024, "新项目", "产出指标", "数量指标", None, "≥5台", 5]]),
        "goals",
        "第 5 行「三级指标」列（E5）：有指标值但没有三级指标名称",  # #16: the blank name's column, not F
        ("Sheet1", 5, "E"),
    ),
    "a first row without its level 1": (
        workbook_bytes([HEADER, [2024, "新项目", None, "数量指标", "培训人次", "≥5台", 5]]),
        "goals",
        "第 2 行「一级指标」列（C2）：",  # the blank level-1 cell's column
        ("Sheet1", 2, "C"),
    ),
    "an indicator name over 300 characters": (
        workbook_bytes([HEADER, [2024, "新项目", "产出指标", "数量指标", "长" * 301, "≥5台", 5]]),
        "goals",
        "超过 300 字的上限",
        ("Sheet1", 2, "E"),
    ),
    "no year anywhere": (
        workbook_bytes([HEADER[1:], [row[1:] for row in _good()][0]]),
        "goals",
        "无法确定年度",
        ("Sheet1", 2, None),
    ),
    "one bad row among good projects": (
        workbook_bytes(
            [
                HEADER,
                *_good("甲项目"),
                *_good("乙项目"),
                [2024, "丙项目", "产出指标", "数量指标", "培训人次", "≥500人次", "40分以上"],
            ]
        ),
        "goals",
        "「40分以上」不是数字",
        ("Sheet1", 8, "G"),
    ),
    "a project of another unit (goals)": (
        workbook_bytes(
            [
                ["年度", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标值"],
                [
                    2021,
                    "青海省医疗保障局",
                    "医保基金监管经费",
                    "产出指标",
                    "数量指标",
                    "购买设备数量",
                    "≥6台",
                ],
            ]
        ),
        "goals",
        "实施单位「青海省医疗保障局」不是您所在的单位",
        ("Sheet1", 2, "B"),
    ),
    "a project of another unit (results)": (
        workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值"],
                [2021, "医保基金监管经费", "产出指标", "数量指标", "购买设备数量", "6台"],
            ]
        ),
        "results",
        "项目「医保基金监管经费」（2021 年）不在您可填报的项目中",
        ("Sheet1", 2, "B"),
    ),
    "goals over an approved project": (
        workbook_bytes(
            [HEADER, [2021, "城乡居民医疗保险市级补助", "产出指标", "数量指标", "保障人数", "392万人", 5]]
        ),
        "goals",
        "只有“目标草稿”状态的项目可以用导入覆盖",
        ("Sheet1", 2, "B"),
    ),
    "results into an approved self-evaluation": (
        workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值"],
                [2019, "困难群众医疗救助", "产出指标", "数量指标", "1、资助参保人数", "12万人"],
            ]
        ),
        "results",
        "当前状态为「自评已审核」，不能再填写完成情况",
        ("Sheet1", 2, "B"),
    ),
    "results without an 实际完成值 column": (
        workbook_bytes(
            [
                HEADER,
                [
                    2021,
                    "城乡居民医疗保险市级补助",
                    "产出指标",
                    "数量指标",
                    "保障已参保居民人数",
                    "392万人左右",
                    5,
                ],
            ]
        ),
        "results",
        "需要「实际完成值」列",
        ("Sheet1", 2, None),
    ),
    "results for an indicator the project does not have": (
        workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值"],
                [2021, "城乡居民医疗保险市级补助", "产出指标", "数量指标", "不存在的指标", "1"],
            ]
        ),
        "results",
        "没有三级指标「不存在的指标」",
        ("Sheet1", 2, "E"),
    ),
    "the same result twice": (
        workbook_bytes(
            [
                ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "实际完成值"],
                [2021, "城乡居民医疗保险市级补助", "产出指标", "数量指标", "保障已参保居民人数", "392万人"],
                [2021, "城乡居民医疗保险市级补助", "产出指标", "数量指标", "保障已参保居民人数", "393万人"],
            ]
        ),
        "results",
        "出现了不止一次（另见第 2 行）",
        ("Sheet1", 3, "E"),
    ),
    # 档次内得分, 指标方向（人工确认）, 不适用 (the columns added after 分值 / 评定档次)
    "text in the 档次内得分 column": (
        workbook_bytes(
            [CHOICES_HEADER, [2024, "新项目", "产出指标", "数量指标", "培训效果", "良好", 10, "完成", "abc"]]
        ),
        "goals",
        "「abc」不是数字",
        ("Sheet1", 2, "I"),
    ),
    "档次内得分 above the 分值": (
        workbook_bytes(
            [
                CHOICES_HEADER,
                *[[*r, None, None] for r in _good()],
                [2024, "新项目", "产出指标", "质量指标", "培训效果", "良好", 5, "完成", 6],
            ]
        ),
        "goals",
        "档次内得分「6」超过了分值「5」",
        ("Sheet1", 5, "I"),
    ),
    "档次内得分 without a band": (
        workbook_bytes(
            [CHOICES_HEADER, [2024, "新项目", "产出指标", "数量指标", "培训效果", "良好", 10, None, 8]]
        ),
        "goals",
        "填写了档次内得分「8」，但没有填写评定档次",
        ("Sheet1", 2, "I"),
    ),
    "档次内得分 outside its band": (
        workbook_bytes(
            [CHOICES_HEADER, [2024, "新项目", "产出指标", "数量指标", "培训效果", "良好", 10, "部分完成", 9]]
        ),
        "goals",
        "档次内得分「9」不在“部分完成”档的范围内：应在 6 至 7.99 之间",
        ("Sheet1", 2, "I"),
    ),
    "档次内得分 without a 分值": (
        workbook_bytes(
            [CHOICES_HEADER, [2024, "新项目", "产出指标", "数量指标", "培训效果", "良好", None, "完成", 8]]
        ),
        "goals",
        "但没有分值",
        ("Sheet1", 2, "I"),
    ),
    "an unknown 指标方向": (
        workbook_bytes(
            [
                CHOICES_HEADER,
                [2024, "新项目", "产出指标", "数量指标", "培训人次", "500人次", 10, None, None, "往上"],
            ]
        ),
        "goals",
        "「往上」不是有效的指标方向",
        ("Sheet1", 2, "J"),
    ),
    "定性 in the 指标方向 column": (
        workbook_bytes(
            [
                CHOICES_HEADER,
                [2024, "新项目", "产出指标", "数量指标", "培训效果", "良好", 10, None, None, "定性"],
            ]
        ),
        "goals",
        "定性指标请在「指标性质」列填写“定性”",
        ("Sheet1", 2, "J"),
    ),
    "a 不适用 that is neither yes nor no": (
        workbook_bytes(
            [
                CHOICES_HEADER,
                [
                    2024,
                    "新项目",
                    "产出指标",
                    "数量指标",
                    "培训人次",
                    "≥500人次",
                    10,
                    None,
                    None,
                    None,
                    "可能",
                ],
            ]
        ),
        "goals",
        "「可能」应填“是”",
        ("Sheet1", 2, "K"),
    ),
    "a 不适用 marked ×": (
        workbook_bytes(
            [
                CHOICES_HEADER,
                [2024, "新项目", "产出指标", "数量指标", "培训人次", "≥500人次", 10, None, None, None, "×"],
            ]
        ),
        "goals",
        "「×」含义不明确",
        ("Sheet1", 2, "K"),
    ),
    "results: 档次内得分 above the 分值 of the file": (
        workbook_bytes(
            [
                RESULT_CHOICES_HEADER,
                [
                    2021,
                    "城乡居民医疗保险市级补助",
                    "产出指标",
                    "数量指标",
                    "保障已参保居民人数",
                    "392万人",
                    5,
                    "完成",
                    "5.5分",
                ],
            ]
        ),
        "results",
        "档次内得分「5.5」超过了分值「5」",
        ("Sheet1", 2, "I"),
    ),
    "results: 档次内得分 without a band": (
        workbook_bytes(
            [
                RESULT_CHOICES_HEADER,
                [
                    2021,
                    "城乡居民医疗保险市级补助",
                    "产出指标",
                    "数量指标",
                    "保障已参保居民人数",
                    "392万人",
                    5,
                    None,
                    "4",
                ],
            ]
        ),
        "results",
        "但没有填写评定档次",
        ("Sheet1", 2, "I"),
    ),
}


@pytest.fixture
def entering(demo):
    """The 2021 城乡居民 project open for results (the other cases need the demo as loaded)."""
    project = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    project.evaluation.status = Status.ENTERING
    project.evaluation.save(update_fields=["status"])
    return project


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_workbook_is_refused_with_its_message_and_nothing_changes(case, entering, yantai):
    data, kind, message, where = CASES[case]
    before = database_state()

    plan, report = services.import_workbook(io.BytesIO(data), actor=services.Actor(yantai), kind=kind)

    assert report is None
    texts = [e.text() for e in plan.errors]
    matching = [e for e in plan.errors if message in e.message or message in e.text()]
    assert matching, texts
    if where is not None:
        sheet, row, column = where
        problem = matching[0]
        assert (problem.sheet, problem.row) == (sheet, row), problem.text()
        if column is not None:
            assert problem.column == column, problem.text()
    assert database_state() == before


def test_a_20_mb_file_is_refused_before_it_is_read(demo, yantai, tmp_path: Path):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(20 * 1024 * 1024)  # sparse: instant, nothing written
    before = database_state()

    plan, report = services.import_workbook(path, actor=services.Actor(yantai))

    assert report is None
    assert [e.message for e in plan.errors] == [
        "文件大小 20.0 MB，超过上限 10.0 MB。请删去无关的工作表或拆成几个文件后再导入。"
    ]
    assert database_state() == before


def test_every_error_of_a_file_is_reported_not_only_the_first(demo, yantai):
    data = workbook_bytes(
        [
            HEADER,
            [2024, "新项目", "投入指标", "数量指标", "甲", "1台", 1],
            [2024, "新项目", "产出指标", "数量指标", "乙", "1台", "一分"],
            [2024, "新项目", "产出指标", "社会效益指标", "丙", "1台", 1],
        ]
    )
    plan, _ = services.import_workbook(io.BytesIO(data), actor=services.Actor(yantai))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "C"), (3, "G"), (4, "D")]
    assert plan.errors[1].text() == "工作表「Sheet1」第 3 行「分值」列（G3）：「一分」不是数字。"


def test_a_failure_while_writing_rolls_back_the_whole_file(demo, yantai, monkeypatch):
    """Two good projects, the second fails at the database: the first is not left behind."""
    data = workbook_bytes([HEADER, *_good("甲项目"), *_good("乙项目")])
    plan = services.plan_import(io.BytesIO(data), actor=services.Actor(yantai))
    assert plan.ok and len(plan.projects) == 2
    before = database_state()
    from perfgoals import scoring as perf_services

    real = perf_services.scheme_for
    calls = []

    def failing(project):
        calls.append(project.name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(project)

    # projects are inserted first, then scored one by one: fail on the second one's scheme
    plan.projects[1].year = plan.projects[1].data.year = 2025
    monkeypatch.setattr(perf_services, "scheme_for", failing)
    with pytest.raises(RuntimeError):
        services.apply_plan(plan, actor=services.Actor(yantai))
    assert calls == ["甲项目", "乙项目"]
    assert database_state() == before


def test_a_project_created_between_preview_and_import_is_not_overwritten(demo, yantai):
    data = workbook_bytes([HEADER, *_good("甲项目")])
    plan = services.plan_import(io.BytesIO(data), actor=services.Actor(yantai))
    assert plan.ok
    services.import_workbook(io.BytesIO(data), actor=services.Actor(yantai))  # someone else was quicker
    before = database_state()
    with pytest.raises(services.ImportRefused) as refused:
        services.apply_plan(plan, actor=services.Actor(yantai))
    assert "刚刚已被创建" in refused.value.problems[0].message
    assert database_state() == before


def test_supervisors_and_finance_cannot_import(demo):
    User = get_user_model()
    for username in ("shenhe_yantai", "caizheng_yantai", "admin"):
        user = User.objects.get(username=username)
        assert not services.can_import(user)
        data = workbook_bytes([HEADER, *_good()])
        plan, report = services.import_workbook(
            io.BytesIO(data), actor=services.Actor(user), kind=ImportKind.GOALS
        )
        assert report is None and plan.errors, username
