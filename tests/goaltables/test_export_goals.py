"""python manage.py export_goals writes each seed department's goal tables in its region's layout:
every indicator's level names, text, 性质, 值 and 度量单位 as the seed fixture holds them, the title,
labels and headings as the seed prints them, the cells merged as the printed table merges them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from perfgoals.goaltables import layouts
from projects.models import Project
from projects.seed_data import schema

from .conftest import DOCS, Sheet, needs_seeds, seed_text

pytestmark = pytest.mark.django_db

#: the 三级指标 column and the 指标值 column of the one-column-value layouts (1-based)
NAME_COL, TARGET_COL = 4, 5


def indicator_rows(sheet: Sheet) -> list[tuple[str, str, str, str]]:
    """(一级, 二级, 三级, 指标值) of every row below the headings, empty categories included."""
    heading = sheet.find("一级指标", col=2)[0]
    rows = []
    for row in range(heading + 1, sheet.ws.max_row + 1):
        rows.append(tuple(str(sheet.value(row, col)) for col in (2, 3, NAME_COL, TARGET_COL)))
    return rows


def expected_rows(project: dict, hidden_level2: bool = False) -> list[tuple[str, str, str, str]]:
    out = []
    for ind in project["indicators"]:
        level2 = ind["level1"] if hidden_level2 and ind["level1"] == "满意度指标" else ind["level2"]
        out.append((ind["level1"], level2, ind["name"], ind["target"]))
    return out


@pytest.mark.parametrize("key", ["000", "003", "004"])
def test_every_indicator_as_the_fixture_holds_it(export, key):
    book, _path = export(key)
    doc = DOCS[key]
    assert [ws.title for ws in book.worksheets] == [p["name"][:28] for p in doc["projects"]]
    for ws, project in zip(book.worksheets, doc["projects"], strict=True):
        rows = [row for row in indicator_rows(Sheet(ws)) if row[2]]
        assert rows == expected_rows(project, hidden_level2=key == "000"), project["name"]


def test_qinghai_public_table_every_column(export):
    """青海: one table for the department; 指标性质 / 指标值 / 度量单位 in their own columns, 定性 with its
    scale (优良中低差, 高中低) as the value, the project and its budget merged over its rows."""
    book, _path = export("002")
    assert [ws.title for ws in book.worksheets] == ["绩效目标公开表"]
    sheet = Sheet(book.active)
    assert [sheet.value(3, c) for c in range(1, 9)] == list(layouts.QINGHAI_2021.headings)
    got = []
    for row in range(4, sheet.ws.max_row + 1):
        got.append(tuple(str(sheet.value(row, c)) for c in (1, 3, 4, 5, 6, 7, 8)))
    expected = [
        (p["name"], i["level1"], i["level2"], i["name"], i["nature"] or "", i["target"], i["unit"] or "")
        for p in DOCS["002"]["projects"]
        for i in p["indicators"]
    ]
    assert got == expected
    assert ("高中低", "") in {(row[5], row[6]) for row in got if row[4] == "定性"}
    # each project's name and budget cell spans exactly its indicator rows
    row = 4
    for project in DOCS["002"]["projects"]:
        last = row + len(project["indicators"]) - 1
        assert sheet.merged(row, 1) == f"A{row}:A{last}"
        assert sheet.merged(row, 2) == f"B{row}:B{last}"
        row = last + 1


def test_qinghai_budget_keeps_its_printed_precision(export):
    """ "3,792.00" and "40.00" as the seed prints them: numbers (they add up) in the format #,##0.00."""
    book, _path = export("002")
    sheet = Sheet(book.active)
    budgets = {}
    for row in range(4, sheet.ws.max_row + 1):
        cell = sheet.ws.cell(row, 2)
        if cell.value is not None:
            assert cell.number_format == "#,##0.00"
            budgets[sheet.value(row, 1)] = Decimal(str(cell.value))
    assert budgets == {p["name"]: Decimal(p["budget_lines"][0]["annual"]) for p in DOCS["002"]["projects"]}
    assert f"{Decimal('3792.00'):,.2f}" == "3,792.00"  # what Excel shows for that format


@needs_seeds
@pytest.mark.parametrize("key", ["000", "002", "003", "004"])
def test_title_labels_and_headings_as_the_seed_prints_them(export, key):
    """Every label, heading and title of the tables stands in the seed's text (whitespace aside)."""
    book, _path = export(key)
    seed = seed_text(key)
    layout = layouts.choose(DOCS[key]["region"], DOCS[key]["year"])
    year = DOCS[key]["year"]
    fixed = {layout.title.format(year=year)} | {h for h in layout.headings if h}
    fixed |= {layout.indicator_label.format(year=year)} - {""}
    fixed |= {layout.subtitle_left.format(year=year), layout.subtitle_right} - {""}
    for head_row in layout.head:
        fixed |= {c.label.format(year=year, next_year=year + 1) for c in head_row.cells if c.label}
    for text in fixed:
        assert schema.squash(text) in seed, text
    texts = {t for ws in book.worksheets for t in Sheet(ws).texts()}
    assert fixed <= texts


@needs_seeds
@pytest.mark.parametrize("key", ["000", "002", "003", "004"])
def test_every_text_of_the_tables_occurs_in_the_seed(export, key):
    """Names (招远's with the year and amount), departments, units, goals, 立项依据, dates, targets: every
    text cell of the workbook is printed in the seed."""
    book, _path = export(key)
    seed = seed_text(key)
    missing = [text for ws in book.worksheets for text in Sheet(ws).texts() if not schema.occurs(text, seed)]
    assert missing == []


def test_zhaoyuan_prints_the_full_name_and_cost_first(export):
    book, _path = export("003")
    for ws, project in zip(book.worksheets, DOCS["003"]["projects"], strict=True):
        sheet = Sheet(ws)
        assert sheet.value(1, 1) == "项目支出绩效目标表"
        assert sheet.value(3, 1) == "项目名称"
        budget = project["budget_lines"][0]["annual"]
        assert sheet.value(3, 2) == f"{project['name']} 2023年 {budget}万"
        assert sheet.merged(3, 2) == "B3:E3"
        rows = indicator_rows(sheet)
        assert rows[0][0] == "成本指标"  # level 1 of its own, printed first
        # the vertical label 绩效指标 covers the headings and every indicator row
        heading = sheet.find("一级指标", col=2)[0]
        assert sheet.merged(heading, 1) == f"A{heading}:A{sheet.ws.max_row}"
        assert sheet.value(heading, 1) == "绩效指标"
        assert sheet.cell(heading, 1).alignment.text_rotation == 255


def test_zhaoyuan_special_fund_variant(export):
    """六（一）: 职工长护险财政补贴 as a 专项资金 — the same project, the 专项资金 form's labels."""
    book, _path = export("003", variant="专项资金", project=["职工长护险财政补贴"])
    assert [ws.title for ws in book.worksheets] == ["职工长护险财政补贴"]
    sheet = Sheet(book.active)
    assert sheet.value(1, 1) == "专项资金绩效目标表"
    assert [sheet.value(r, 1) for r in range(3, 7)] == [
        "专项资金名称",
        "主管部门",
        "年度预算资金（万元）",
        "年度\n总体\n目标",
    ]
    assert [sheet.value(r, 2) for r in range(3, 6)] == [
        "职工长护险财政补贴 2023年 101万",
        "招远市医疗保障局",
        101,
    ]
    assert sheet.value(7, 1) == "年度绩效指标"
    project = DOCS["003"]["projects"][0]
    assert [row for row in indicator_rows(sheet)] == expected_rows(project)
    goal = sheet.value(6, 2)
    assert goal.replace("\n", "") == project["goal_text"]
    assert goal.endswith("\n主要政策任务：用于支付职工和退休人员、特殊群体的长护险补贴支出")


def test_huancui_fields_and_empty_categories(export):
    """环翠: 项目总预算, 政府采购, 立项时间, 立项依据 as printed; an empty category keeps its row with its
    name as printed and nothing in it; no 项目总预算 row where the project prints none."""
    book, _path = export("004")
    doc = DOCS["004"]
    for ws, project in zip(book.worksheets, doc["projects"], strict=True):
        sheet = Sheet(ws)
        labels = [sheet.value(r, 1) for r in range(3, 12)]
        if project["total_budget"] is None:
            assert "项目总预算(万元)" not in labels
        else:
            row = 3 + labels.index("项目总预算(万元)")
            assert sheet.value(row, 2) == int(project["total_budget"])
            assert sheet.value(row, 3) == "项目当年预算(万元)"
        row = sheet.find("是否包含政府采购", col=1)[0]
        assert [sheet.value(row, c) for c in (2, 3, 4)] == ["否", "政府采购金额(万元)", 0]
        row = sheet.find("项目立项时间", col=1)[0]
        assert [sheet.value(row, c) for c in (2, 3, 4)] == ["2020.01.01", "项目结束时间", "2020.12.31"]
        row = sheet.find("项目立项依据及概况", col=1)[0]
        assert sheet.value(row, 2) == project["legal_basis"]
        assert sheet.merged(row, 2) == f"B{row}:E{row}"
        row = sheet.find("实施期总体绩效目标", col=2)[0]
        assert sheet.value(row + 1, 2) == project["long_term_goal"]
        assert sheet.value(row + 1, 4) == project["goal_text"]
        empty = [(r[0], r[1]) for r in indicator_rows(sheet) if not r[2]]
        assert empty == [tuple(pair) for pair in project["empty_level2"]], project["name"]


def test_yantai_layout(export):
    """烟台: 预算部门 prints the implementing unit, 总体目标 spans its two rows, 满意度指标 spans the level-1
    and level-2 columns (the seed prints no level 2 there), the label 年度绩效指标（2021年）."""
    book, _path = export("000")
    for ws, project in zip(book.worksheets, DOCS["000"]["projects"], strict=True):
        sheet = Sheet(ws)
        assert sheet.value(1, 1) == "2021 年项目预算支出绩效目标表"
        assert [sheet.value(4, 1), sheet.value(4, 2)] == ["预算部门", project["unit"]]
        assert sheet.value(5, 2) == f"财政拨款年度额： {project['budget_lines'][0]['annual']}（万元）"
        assert sheet.merged(6, 1) == "A6:A7"
        assert [sheet.value(6, 2), sheet.value(6, 4)] == ["长期目标（2021年-2022年)", "年度目标（2021年）"]
        assert [sheet.value(7, 2), sheet.value(7, 4)] == [project["long_term_goal"], project["goal_text"]]
        satisfaction = sheet.find("满意度指标", col=2)[0]
        assert sheet.merged(satisfaction, 2) == f"B{satisfaction}:C{satisfaction}"
        assert sheet.value(9, 1) == "年度绩效指标（2021年）"
    assert book.worksheets[4]["B4"].value == "烟台市医疗保障服务中心"


def test_print_setup_a4_fit_to_width_and_repeated_headings(export):
    book, _path = export("002")
    ws = book.active
    assert ws.page_setup.paperSize == 9
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0  # 1 is the default
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"
    book, _path = export("000")
    assert book.active.print_title_rows == "$8:$8"


def test_user_text_stays_text(export):
    """A name, a goal or a target that looks like a formula is written as text, never as a formula."""
    project = Project.objects.get(year=2021, name="城乡居民医疗保险市级补助")
    Project.objects.filter(pk=project.pk).update(name='=HYPERLINK("http://x","y")', goal_text="=1+1")
    project.indicators.filter(order=project.indicators.order_by("order").first().order).update(
        target_text="=SUM(A1:A9)"
    )
    book, _path = export("000")
    sheet = Sheet(book.worksheets[0])
    for row, col, text in ((3, 2, '=HYPERLINK("http://x","y")'), (7, 4, "=1+1"), (9, 5, "=SUM(A1:A9)")):
        cell = sheet.cell(row, col)
        assert cell.value == text and cell.data_type == "s"


def test_command_errors(demo, tmp_path):
    with pytest.raises(CommandError, match="没有名为"):
        call_command("export_goals", department="不存在的局", year=2021, out=str(tmp_path), skip_checks=True)
    with pytest.raises(CommandError, match="没有项目"):
        call_command(
            "export_goals", department="烟台市医疗保障局", year=2030, out=str(tmp_path), skip_checks=True
        )
    with pytest.raises(CommandError, match="专项资金"):
        call_command(
            "export_goals",
            department="烟台市医疗保障局",
            year=2021,
            out=str(tmp_path),
            variant="专项资金",
            skip_checks=True,
        )
    with pytest.raises(CommandError, match="没有项目：不存在"):
        call_command(
            "export_goals",
            department="招远市医疗保障局",
            year=2023,
            out=str(tmp_path),
            project=["不存在"],
            skip_checks=True,
        )
    assert list(tmp_path.iterdir()) == []
