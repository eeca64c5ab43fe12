"""The downloadable template and the export of projects into it (openpyxl, no floats).

The template follows the official 绩效目标表: one indicator a row under 项目名称 / 一级指标 / 二级指标 /
三级指标 / 指标性质 / 指标值 / 度量单位 / 分值, and for results 实际完成值 / 偏差原因分析及改进措施 (and
得分 / 评定档次 where a self-evaluation prints them). What the user decides beyond the printed form comes
last, so that older files keep their column places: in the goals template 指标方向（人工确认） (正向 / 反向
/ 等于 / 约等于, blank = read from the target) and 不适用 (是, blank = applies); in the results template
档次内得分 (the score inside the 评定档次, at most the 分值). The export carries all of them. A
multi-project file needs to say which year and unit each row belongs to, so 年度 and 实施单位 lead
the row. The 项目信息 sheet holds what belongs to a
project rather than to an indicator (budget lines, overall goals, printed totals, and last the optional
资金使用单位 the department's summary prints when it is not the implementing unit); the 填写说明 sheet
is skipped by the reader.

Exporting a project and importing the file back yields the same project (tested for every demo
project): every text is written as text (a target "=100%" must not become a formula), money and
scores as Decimal, a level-2 category printed empty as a row whose 三级指标 is "无".
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from perfgoals.choices import ValueBasis
from perfgoals.engine import vocabulary
from perfgoals.engine.values import format_decimal
from projects.choices import BudgetSource
from projects.models import Project
from projects.scoping import visible_projects

from .reader import FIELD_TITLES

INDICATOR_SHEET = "绩效目标表"
PROJECT_SHEET = "项目信息"
HELP_SHEET = "填写说明"

#: columns of the indicator sheet: the goals template, the results template, a full export. Columns added
#: later go at the end (files made with the older templates, and bench/import_bench.py, keep their places).
_TABLE_COLUMNS = (
    "year",
    "unit",
    "project",
    "level1",
    "level2",
    "name",
    "nature",
    "target",
    "measure",
    "weight",
)
#: 财预〔2021〕101号 per indicator: optional, last (a file without them imports as before)
STANDARD_101_COLUMNS = ("explanation", "scoring_standard", "data_source", "basis")
GOALS_COLUMNS = (*_TABLE_COLUMNS, "direction_override", "not_applicable", *STANDARD_101_COLUMNS)
RESULTS_COLUMNS = (*_TABLE_COLUMNS, "actual", "deviation", "score", "band", "band_score")
EXPORT_COLUMNS = (
    "year",
    "department",
    "unit",
    "project",
    "level1",
    "level2",
    "name",
    "nature",
    "target",
    "measure",
    "weight",
    "actual",
    "deviation",
    "score",
    "band",
    "band_score",
    "direction_override",
    "not_applicable",
    *STANDARD_101_COLUMNS,
)
#: 指标方向（人工确认） as written: the words of the template's drop-down list
DIRECTION_WORDS = {"ge": "正向", "le": "反向", "eq": "等于", "approx": "约等于"}
#: qualitative bands of the built-in scales (完成 / 部分完成 / 未完成, 优良中低差, 高中低)
BAND_WORDS = ("完成", "部分完成", "未完成", "优", "良", "中", "低", "差", "高")
PROJECT_COLUMNS = (
    "year",
    "department",
    "unit",
    "project",
    "project_type",
    "contact_phone",
    "long_term_goal",
    "goal_text",
    "goal_result_text",
    "start_date",
    "end_date",
    "legal_basis",
    "government_procurement",
    "procurement_amount",
    "total_budget",
    "current_year_initial",
    "current_year_annual",
    "current_year_executed",
    "carryover_initial",
    "carryover_annual",
    "carryover_executed",
    "other_initial",
    "other_annual",
    "other_executed",
    "level1_weights",
    "low_score_explanation",
    "printed_execution_rate",
    "printed_execution_score",
    "printed_total",
    "printed_grade",
    "fund_user",
    "summary_name",
)
_BUDGET_COLUMNS = {
    f"{source}_{part}": (source, part)
    for source in (BudgetSource.CURRENT_YEAR, BudgetSource.CARRYOVER, BudgetSource.OTHER)
    for part in ("initial", "annual", "executed")
}

_WIDTHS = {
    "year": 7,
    "department": 18,
    "unit": 20,
    "project": 26,
    "level1": 11,
    "level2": 14,
    "name": 30,
    "nature": 9,
    "target": 16,
    "measure": 9,
    "weight": 7,
    "actual": 16,
    "deviation": 30,
    "score": 7,
    "band": 9,
    "band_score": 9,
    "direction_override": 11,
    "not_applicable": 7,
    "explanation": 30,
    "scoring_standard": 30,
    "data_source": 20,
    "basis": 10,
}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")
_REQUIRED = {"project", "level1", "level2", "name", "target"}


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell(ws, value):
    """A value for a write-only row: text that starts with "=" is written as text, not a formula."""
    if isinstance(value, str):
        value = _text(value)
        if value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
    return value


def _header_cells(ws, columns: Iterable[str]) -> list:
    cells = []
    for code in columns:
        cell = WriteOnlyCell(ws, value=FIELD_TITLES[code])
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cells.append(cell)
    return cells


def _decimal(value: Decimal | None) -> Decimal | None:
    """Money and scores are written as numbers without trailing zeros (40.0000 → 40)."""
    if value is None:
        return None
    return Decimal(format_decimal(value))


def _weights_text(weights: dict) -> str:
    return "；".join(f"{vocabulary.level1_name(code)} {value}" for code, value in (weights or {}).items())


def _indicator_rows(project, columns: tuple[str, ...]) -> Iterable[list]:
    unit = project.unit
    identity = {
        "year": project.year,
        "department": unit.department.name,
        "unit": unit.name,
        "project": project.name,
    }
    for ind in project.indicators.all():
        values = {
            **identity,
            "level1": ind.level1_printed or vocabulary.level1_name(ind.level1),
            "level2": ind.level2_printed or vocabulary.level2_name(ind.level2),
            "name": ind.name,
            "nature": ind.nature_printed,
            "target": ind.target_text,
            "measure": ind.unit_printed,
            "weight": _decimal(ind.weight),
            "actual": ind.actual_text,
            "deviation": ind.deviation_note,
            "score": _decimal(ind.reported_score),
            "band": ind.band,
            "band_score": _decimal(ind.band_score),
            "direction_override": DIRECTION_WORDS.get(ind.direction_override, ind.direction_override),
            "not_applicable": "是" if ind.not_applicable else "",
            "explanation": ind.explanation,
            "scoring_standard": ind.scoring_standard,
            "data_source": ind.data_source,
            "basis": ind.get_basis_display() if ind.basis else "",
        }
        yield [values[code] if values[code] != "" else None for code in columns]
    for level1, level2 in project.empty_level2 or []:
        values = {
            **identity,
            "level1": vocabulary.level1_name(level1),
            "level2": vocabulary.level2_name(level2),
            "name": "无",
        }
        yield [values.get(code) for code in columns]


def _project_row(project) -> list:
    evaluation = getattr(project, "evaluation", None)
    lines = {line.source: line for line in project.budget_lines.all()}
    values = {
        "year": project.year,
        "department": project.unit.department.name,
        "unit": project.unit.name,
        "project": project.name,
        "project_type": project.project_type,
        "contact_phone": project.contact_phone,
        "long_term_goal": project.long_term_goal,
        "goal_text": project.goal_text,
        "goal_result_text": project.goal_result_text,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "legal_basis": project.legal_basis,
        "government_procurement": None
        if project.government_procurement is None
        else ("是" if project.government_procurement else "否"),
        "procurement_amount": _decimal(project.procurement_amount),
        "total_budget": _decimal(project.total_budget),
        "level1_weights": _weights_text(evaluation.declared_level1_weights) if evaluation else "",
        "low_score_explanation": evaluation.low_score_explanation if evaluation else "",
        "printed_execution_rate": _decimal(evaluation.printed_execution_rate) if evaluation else None,
        "printed_execution_score": _decimal(evaluation.printed_execution_score) if evaluation else None,
        "printed_total": _decimal(evaluation.printed_total) if evaluation else None,
        "printed_grade": evaluation.printed_grade if evaluation else "",
        "fund_user": project.fund_user,
        "summary_name": project.summary_name,
    }
    for code, (source, part) in _BUDGET_COLUMNS.items():
        line = lines.get(source)
        values[code] = _decimal(getattr(line, part)) if line is not None else None
    return [values[code] if values[code] != "" else None for code in PROJECT_COLUMNS]


def _help_rows(kind: str) -> list[list[str]]:
    level2_lines = []
    for generation, codes in vocabulary.GENERATIONS.items():
        groups: dict[str, list[str]] = {}
        for code in codes:
            groups.setdefault(vocabulary.level1_of(code) or "", []).append(vocabulary.level2_name(code))
        text = "；".join(f"{vocabulary.level1_name(l1)}：{'、'.join(names)}" for l1, names in groups.items())
        level2_lines.append([f"{generation} 版指标体系", text])
    rows = [
        ["绩效目标表导入模板 · 填写说明"],
        [],
        ["列", "说明"],
        ["年度", "四位年份，如 2024。整个文件同一年度时可不填，在上传页面选择。"],
        ["实施单位", "项目实施单位全称。只属于一个单位的用户可不填。"],
        ["项目名称", "必填。同一项目的各行项目名称相同；合并单元格或只在第一行填写均可。"],
        ["一级指标 / 二级指标", "必填，按下方指标体系填写；合并单元格或只在每组第一行填写均可。"],
        ["三级指标", "必填，项目自己的指标名称。某二级指标下没有指标时，三级指标填“无”。"],
        ["指标性质", "可填 ≥、≤、＝、定性（也可不填，由指标值中的文字判断，如“≥95%”“400万人以上”）。"],
        ["指标值", "年度目标值，按原表文字填写，如 ≥95%、≤60分钟、及时、有效缓解、不低于上年。"],
        ["度量单位", "指标值中没有写单位时填写，如 %、万人、台。"],
        ["分值", "数字。自评时每个三级指标的分值。"],
    ]
    if kind != "results":
        rows += [
            [
                "指标方向（人工确认）",
                "可不填（按指标值文字识别方向）。系统推测的方向不对时选择：正向（≥，越大越好）、"
                "反向（≤，越小越好）、等于、约等于；填写后以此为准。定性指标请在「指标性质」列填“定性”。",
            ],
            [
                "不适用",
                "本年度不适用、不计分的指标填“是”（或 √）；其余留空或填“否”。不适用指标的分值按评分规则处理"
                "（不计入总分或按比例分配给其他指标）。",
            ],
            ["指标解释", "可不填（财预〔2021〕101号）。指标的含义和计算口径，最多 500 字。"],
            ["评(扣)分标准", "可不填。完成到什么程度得多少分、未完成如何扣分，最多 500 字。"],
            ["数据来源/佐证", "可不填。实际完成值从哪里取得、年底以什么材料佐证，最多 300 字。"],
            [
                "取值依据",
                "可不填。指标值依据的标准：计划标准、行业标准、历史标准（上年值、近三年平均、历史最优）或其他。",
            ],
        ]
    if kind != "goals":
        rows += [
            ["实际完成值", "年终实际完成情况，按原表文字填写，如 96%、400.3万人、按时完成。"],
            ["偏差原因分析及改进措施", "未完成目标的指标必须说明。"],
            ["得分", "自评表中填报的得分（可不填，系统按评分规则计算）。"],
            [
                "评定档次",
                "定性指标的评定档次：完成、部分完成、未完成"
                "（或按指标值的等级 优、良、中、低、差 / 高、中、低）。",
            ],
            [
                "档次内得分",
                "数字，可不填（按本档上限计）。须先填评定档次，不超过分值，并在该档的范围内："
                "完成 80%–100%、部分完成 60%–80%、未完成 0–60%（占分值的比例）。",
            ],
        ]
    rows += [
        [],
        ["注意", "公式单元格不能导入，请先“选择性粘贴为数值”。文件不得超过 10 MB，只接受 .xlsx 格式。"],
        ["", "“项目信息”表可填写预算资金（万元）、总体目标等项目级内容，可不提供。"],
        [
            "",
            "“项目信息”表的「资金使用单位」：汇总表中列示的资金使用单位与实施单位不同时填写（如由下属中心使用资金），"
            "留空表示与实施单位相同；须同时填写「实施单位」列，否则该列按实施单位读取。",
        ],
        [
            "",
            "“项目信息”表的「汇总表项目名称」：部门汇总表和绩效评价报告中的项目名称与自评表的项目名称不同时填写，"
            "留空表示与项目名称相同。",
        ],
        ["", "导入前会先显示预览，确认后才写入；任何一行有错误，整个文件都不会导入。"],
        [],
        ["指标性质可选值", "≥、≤、＝、定性"],
        ["指标方向可选值", "正向、反向、等于、约等于（也可写 ≥、≤、＝、≈；留空按指标值识别）"],
        ["不适用可填", "是、√、✓、Y、1（不适用）；否、N、0 或留空（适用）"],
        *level2_lines,
    ]
    return rows


def write_template(kind: str = "goals") -> bytes:
    """An empty template (goals or results) with drop-down lists for the level and nature columns."""
    columns = GOALS_COLUMNS if kind == "goals" else RESULTS_COLUMNS
    workbook = Workbook()
    ws = workbook.active
    ws.title = INDICATOR_SHEET
    for index, code in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=FIELD_TITLES[code])
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(code, 12)
    ws.freeze_panes = "A2"
    lists = {
        "level1": [vocabulary.level1_name(code) for code in vocabulary.LEVEL1],
        "level2": [vocabulary.level2_name(code) for code in vocabulary.LEVEL2],
        "nature": ["≥", "≤", "＝", "定性"],
        "direction_override": list(DIRECTION_WORDS.values()),
        "not_applicable": ["是", "否"],
        "band": list(BAND_WORDS),
        "basis": [label for _value, label in ValueBasis.choices],
    }
    prompts = {
        "direction_override": "可不填：按指标值文字识别。推测的方向不对时选择正向（≥）或反向（≤）。",
        "not_applicable": "本年度不适用、不计分的指标填“是”，其余留空。",
        "band": "定性指标的评定档次。",
        "basis": "可不填：指标值依据的标准（财预〔2021〕101号）。",
    }
    for code, options in lists.items():
        if code not in columns:
            continue
        letter = get_column_letter(columns.index(code) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True, showErrorMessage=False
        )
        if code in prompts:
            validation.promptTitle = FIELD_TITLES[code][:32]
            validation.prompt = prompts[code]
            validation.showInputMessage = True
        validation.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(validation)
    if "band_score" in columns and "weight" in columns:
        # a number from 0 to the row's 分值 (a warning only: the reader checks it and names the row)
        letter = get_column_letter(columns.index("band_score") + 1)
        weight = get_column_letter(columns.index("weight") + 1)
        validation = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=f"{weight}2",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="档次内得分",
            error="档次内得分应是不超过本行分值的数字。",
            promptTitle="档次内得分",
            prompt="可不填（按本档上限计）；须先填评定档次，不超过分值。",
            showInputMessage=True,
        )
        validation.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(validation)
    info = workbook.create_sheet(PROJECT_SHEET)
    for index, code in enumerate(PROJECT_COLUMNS, start=1):
        cell = info.cell(row=1, column=index, value=FIELD_TITLES[code])
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        info.column_dimensions[get_column_letter(index)].width = 16
    info.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(HELP_SHEET)
    for row in _help_rows(kind):
        help_sheet.append(row)
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 100
    help_sheet["A1"].font = Font(bold=True, size=14)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_queryset(
    user, *, year: int | None = None, project_ids: Iterable[int] | None = None
) -> QuerySet[Project]:
    """Projects a user may export (what they can see), ready for :func:`export_projects`: it fetches
    with them what the writer reads of each, so that an export is a handful of queries."""
    qs = visible_projects(user)
    if year is not None:
        qs = qs.filter(year=year)
    if project_ids is not None:
        qs = qs.filter(pk__in=list(project_ids))
    return (
        qs.select_related("unit__department", "evaluation")
        .prefetch_related("indicators", "budget_lines")
        .order_by("year", "unit__department__name", "unit__name", "name")
    )


def export_projects(projects: Iterable, *, columns: tuple[str, ...] = EXPORT_COLUMNS) -> bytes:
    """Write projects (with their indicators, fund lines and evaluation) in the template's layout.

    Pass a queryset with ``select_related("unit__department", "evaluation")`` and
    ``prefetch_related("indicators", "budget_lines")`` (as :func:`export_queryset` gives) to keep it
    to a handful of queries.
    """
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(INDICATOR_SHEET)
    for index, code in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(code, 12)
    ws.freeze_panes = "A2"
    info = workbook.create_sheet(PROJECT_SHEET)
    info.freeze_panes = "A2"
    ws.append(_header_cells(ws, columns))
    info.append(_header_cells(info, PROJECT_COLUMNS))
    for project in projects:
        for row in _indicator_rows(project, columns):
            ws.append([_cell(ws, value) for value in row])
        info.append([_date_cell(info, value) for value in _project_row(project)])
    help_sheet = workbook.create_sheet(HELP_SHEET)
    for row in _help_rows("results"):
        help_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _date_cell(ws, value):
    if hasattr(value, "isoformat") and not isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return _cell(ws, value)
