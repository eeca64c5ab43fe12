"""Each region's published goal-table template, as data.

A :class:`Layout` says what a region's 绩效目标表 prints and where: its title, the rows above the
indicators (labels as printed, fields of the project, spans), the indicator columns and their
headings, how level names and empty categories print, how money prints ("3,792.00" or "6640"), and
whether a table holds one project or the whole department (青海's 公开表). :mod:`.grid` places any
layout's cells; :mod:`.xlsx` and :mod:`.html` render them. A new region's template is one more entry
in :data:`LAYOUTS`, not code.

Texts are the seeds' own, including what an office printed oddly ("预算算度", "（2021年-2022年)"):
the table is meant to read as the one the office published. ``{year}`` and ``{next_year}`` are
filled in from the project-year.

Fields a cell may show (:func:`.content.field_value`): ``name`` (the project's printed name, see
``name_template``), ``department``, ``unit``, ``project_type``, ``annual`` (the year's budget, every
fund source), ``fiscal`` (财政拨款: this year's and carried over), ``other`` (其他资金),
``total_budget`` (项目总预算), ``procurement`` (是 / 否), ``procurement_amount``, ``start_date``,
``end_date``, ``legal_basis``, ``long_term_goal``, ``goal_text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["LAYOUTS", "Cell", "HeadRow", "Layout", "LayoutNotFound", "choose", "variants_for"]


@dataclass(frozen=True)
class Cell:
    """One cell of a head row: a printed label (``label``) or a project's field (``field``).

    ``template`` wraps a field's printed value ("财政拨款年度额： {}（万元）"); a field cell without a
    template keeps a number a number in Excel.
    """

    label: str = ""
    field: str = ""
    colspan: int = 1
    rowspan: int = 1
    template: str = ""
    style: str = ""  # "" → label cells "label", field cells "text" (long texts "long")


def L(text: str, colspan: int = 1, rowspan: int = 1, style: str = "label") -> Cell:  # noqa: N802
    return Cell(label=text, colspan=colspan, rowspan=rowspan, style=style)


def F(name: str, colspan: int = 1, rowspan: int = 1, template: str = "", style: str = "") -> Cell:  # noqa: N802
    return Cell(field=name, colspan=colspan, rowspan=rowspan, template=template, style=style)


@dataclass(frozen=True)
class HeadRow:
    """A row above the indicators; left out when ``unless_empty`` names a field the project leaves
    empty (环翠 prints no 项目总预算 row for a project without one)."""

    cells: tuple[Cell, ...]
    unless_empty: str = ""


def row(*cells: Cell, unless_empty: str = "") -> HeadRow:
    return HeadRow(tuple(cells), unless_empty)


#: the indicator columns a layout may use
INDICATOR_COLUMNS = frozenset(
    {"label", "project", "budget", "level1", "level2", "level3", "nature", "value", "unit", "target"}
    | {"explanation", "scoring_standard", "data_source", "basis"}  # 财预〔2021〕101号
)


@dataclass(frozen=True)
class Layout:
    key: str
    #: what the layout is, for people choosing it ("烟台市 2021 年起 …")
    description: str
    #: the region it is the template of ("" for the default) and the first year it applies to
    region: str
    first_year: int
    title: str
    widths: tuple[float, ...]
    head: tuple[HeadRow, ...]
    #: indicator columns (from INDICATOR_COLUMNS) with their headings, one each
    columns: tuple[str, ...]
    headings: tuple[str, ...]
    variant: str = ""
    subtitle_left: str = ""
    subtitle_right: str = ""
    #: one table a project, or one table for the department-year (青海 公开表)
    per_department: bool = False
    #: the label column's text (年度绩效指标（2021年）) and whether it also covers the heading row
    indicator_label: str = ""
    label_covers_headings: bool = False
    vertical_label: bool = False
    #: the project's name as the table prints it
    name_template: str = "{name}"
    #: level-1 blocks in print order ("2019": 成本指标 under 产出; "2021": 成本指标 first)
    generation: str = "2019"
    #: level-2 names for categories printed without an indicator (and without a printed name)
    level2_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: level-1 codes whose level 2 the table does not print (the level-1 cell spans both columns)
    level2_hidden: frozenset[str] = frozenset()
    #: an empty category: "blank" (its row, nothing in it), "omit", or a text for its 三级指标 cell
    empty_category: str = "blank"
    #: money: decimal places (None: as entered, no trailing zeros) and thousands separators
    money_places: int | None = None
    money_thousands: bool = False
    date_format: str = "%Y.%m.%d"
    landscape: bool = False
    #: phrases a long text starts a new line before, as the region's form sets them apart
    break_before: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.headings) or len(self.columns) != len(self.widths):
            raise ValueError(f"{self.key}: 列、列名与列宽的数目不一致")
        unknown = set(self.columns) - INDICATOR_COLUMNS
        if unknown:
            raise ValueError(f"{self.key}: 未知的指标列 {sorted(unknown)}")
        for head_row in self.head:
            if sum(cell.colspan for cell in head_row.cells) > len(self.columns):
                raise ValueError(f"{self.key}: 表头行超出列数")

    @property
    def money_format(self) -> str:
        """The Excel number format of money cells."""
        if self.money_places is None:
            return "General"
        decimals = "." + "0" * self.money_places if self.money_places else ""
        return f"#,##0{decimals}" if self.money_thousands else f"0{decimals}"


_FIVE = (10.0, 12.0, 14.0, 30.0, 24.0)

#: the 101号 columns (财预〔2021〕101号) only the default layout prints: no seed's form has them
STANDARD_101_HEADINGS = ("指标解释", "评(扣)分标准", "数据来源/佐证", "取值依据")

DEFAULT = Layout(
    key="default",
    description="通用格式（项目支出绩效目标表，列出系统中保存的全部项目信息，含 101 号文的指标解释等四项）",
    region="",
    first_year=2000,
    title="{year} 年项目支出绩效目标表",
    subtitle_right="单位：万元",
    widths=(*_FIVE, 24.0, 24.0, 18.0, 9.0),
    head=(
        row(L("项目名称"), F("name", 8)),
        row(L("主管部门"), F("department", 3), L("实施单位"), F("unit", 4)),
        row(L("项目资金\n（万元）", rowspan=3), L("年度资金总额", 2), F("annual", 6)),
        row(L("其中：财政拨款", 2), F("fiscal", 6)),
        row(L("其他资金", 2), F("other", 6)),
        row(L("项目总预算（万元）"), F("total_budget", 3), L("是否包含政府采购"), F("procurement", 4)),
        row(L("项目立项时间"), F("start_date", 3), L("项目结束时间"), F("end_date", 4)),
        row(L("立项依据及概况"), F("legal_basis", 8, style="long")),
        row(L("总体目标", rowspan=2), L("长期目标", 4), L("年度目标", 4)),
        row(F("long_term_goal", 4, style="long"), F("goal_text", 4, style="long")),
    ),
    columns=(
        "label",
        "level1",
        "level2",
        "level3",
        "target",
        "explanation",
        "scoring_standard",
        "data_source",
        "basis",
    ),
    headings=("绩效指标", "一级指标", "二级指标", "三级指标", "指标值", *STANDARD_101_HEADINGS),
    indicator_label="年度绩效指标",
    landscape=True,
)

#: seed 000: 2021 年烟台市医疗保障局预算公开 第三部分（五）
YANTAI_2021 = Layout(
    key="yantai-2021",
    description="烟台市 2021 年起：项目预算支出绩效目标表（预算公开 第三部分（五））",
    region="烟台市",
    first_year=2021,
    title="{year} 年项目预算支出绩效目标表",
    widths=_FIVE,
    head=(
        row(L("项目名称"), F("name", 4)),
        # the seed prints the implementing unit here (药品医用耗材采购和价格监测: 烟台市医疗保障服务中心)
        row(L("预算部门"), F("unit", 4)),
        row(L("资金情况"), F("fiscal", 4, template="财政拨款年度额： {}（万元）")),
        row(
            L("总体目标", rowspan=2), L("长期目标（{year}年-{next_year}年)", 2), L("年度目标（{year}年）", 2)
        ),
        row(F("long_term_goal", 2, style="long"), F("goal_text", 2, style="long")),
    ),
    columns=("label", "level1", "level2", "level3", "target"),
    headings=("绩效指标", "一级指标", "二级指标", "三级指标", "指标值"),
    indicator_label="年度绩效指标（{year}年）",
    # 满意度指标 is printed without a level 2 ("满意度指标 | 工作满意度 | ≧90%")
    level2_hidden=frozenset({"satisfaction"}),
)

#: seed 002: 青海省医疗保障局 2021 年部门预算 第三部分（四）部门预算项目支出绩效目标公开表
QINGHAI_2021 = Layout(
    key="qinghai-2021",
    description="青海省 2021 年起：部门预算项目支出绩效目标公开表（整个部门一张表）",
    region="青海省",
    first_year=2021,
    title="部门预算项目支出绩效目标公开表",
    subtitle_left="预算算度：{year} 年",
    subtitle_right="单位：万元",
    widths=(12.0, 10.0, 9.0, 12.0, 30.0, 8.0, 12.0, 9.0),
    head=(),
    columns=("project", "budget", "level1", "level2", "level3", "nature", "value", "unit"),
    headings=(
        "项目名称",
        "预算资金",
        "一级指标",
        "二级指标",
        "三级指标",
        "绩效指标性质",
        "本年绩效指标值",
        "绩效度量单位",
    ),
    per_department=True,
    money_places=2,
    money_thousands=True,
    landscape=False,
)

_ZHAOYUAN_LEVELS = dict(
    columns=("label", "level1", "level2", "level3", "target"),
    headings=("", "一级指标", "二级指标", "三级指标", "指标值"),
    label_covers_headings=True,
    vertical_label=True,
    generation="2021",
)

#: seed 003: 招远市医疗保障局 2023 年部门预算 六、绩效目标情况说明（二）（三）
ZHAOYUAN_2023 = Layout(
    key="zhaoyuan-2023",
    description="招远市 2023 年起：项目支出绩效目标表",
    region="招远市",
    first_year=2023,
    title="项目支出绩效目标表",
    widths=(10.0, 11.0, 12.0, 26.0, 22.0),
    head=(
        row(L("项目名称"), F("name", 4)),
        row(L("主管部门"), F("department"), L("实施单位"), F("unit", 2)),
        row(L("项目资金\n（万元）", rowspan=3), L("年度预算资金总额：", 2), F("annual", 2)),
        row(L("其中：财政拨款", 2), F("fiscal", 2)),
        row(L("其他资金", 2), F("other", 2)),
        row(L("年度总体\n绩效目标"), F("goal_text", 4, style="long")),
    ),
    indicator_label="绩效指标",
    # the printed name carries the year and the budget: "DRG试点工作经费项目 2023年 16万"
    name_template="{name} {year}年 {annual}万",
    break_before=("主要政策任务：",),
    **_ZHAOYUAN_LEVELS,
)

#: seed 003 六（一）: the same project as a 专项资金 (职工长护险财政补贴 is printed both ways)
ZHAOYUAN_2023_SPECIAL = Layout(
    key="zhaoyuan-2023-special",
    description="招远市 2023 年起：专项资金绩效目标表",
    region="招远市",
    first_year=2023,
    variant="专项资金",
    title="专项资金绩效目标表",
    widths=(10.0, 11.0, 12.0, 26.0, 22.0),
    head=(
        row(L("专项资金名称"), F("name", 4)),
        row(L("主管部门"), F("department", 4)),
        row(L("年度预算资金（万元）"), F("annual", 4)),
        row(L("年度\n总体\n目标"), F("goal_text", 4, style="long")),
    ),
    indicator_label="年度绩效指标",
    name_template="{name} {year}年 {annual}万",
    # the form sets the policy task apart from the goal ("…给予全额资助\n主要政策任务：…")
    break_before=("主要政策任务：",),
    **_ZHAOYUAN_LEVELS,
)

#: seed 004: 2020 年威海市环翠区医疗保障局部门预算 第三部分（五）
HUANCUI_2020 = Layout(
    key="huancui-2020",
    description="威海市环翠区 2020 年起：预算项目支出绩效目标表",
    region="威海市环翠区",
    first_year=2020,
    title="{year} 年预算项目支出绩效目标表",
    widths=(12.0, 12.0, 14.0, 28.0, 20.0),
    head=(
        row(L("项目名称"), F("name", 4)),
        row(L("主管部门"), F("department", 4)),
        row(L("资金情况"), L("财政拨款年度金额:"), F("fiscal", 3, template="{} 万元")),
        row(
            L("项目总预算(万元)"),
            F("total_budget"),
            L("项目当年预算(万元)"),
            F("annual", 2),
            unless_empty="total_budget",
        ),
        row(L("是否包含政府采购"), F("procurement"), L("政府采购金额(万元)"), F("procurement_amount", 2)),
        row(L("项目立项时间"), F("start_date"), L("项目结束时间"), F("end_date", 2)),
        row(L("项目立项依据及概况"), F("legal_basis", 4, style="long")),
        row(L("绩效目标", rowspan=2), L("实施期总体绩效目标", 2), L("年度绩效目标", 2)),
        row(F("long_term_goal", 2, style="long"), F("goal_text", 2, style="long")),
    ),
    columns=("label", "level1", "level2", "level3", "target"),
    headings=("绩效指标", "一级指标", "二级指标", "三级指标", "目标值"),
    indicator_label="绩效指标",
    level2_names=MappingProxyType(
        {
            "output_cost": "成本指标",
            "economic_benefit": "经济效益",
            "social_benefit": "社会效益",
            "ecological_benefit": "生态效益",
            "sustainability": "可持续影响",
        }
    ),
    empty_category="blank",
)

LAYOUTS: tuple[Layout, ...] = (YANTAI_2021, QINGHAI_2021, ZHAOYUAN_2023, ZHAOYUAN_2023_SPECIAL, HUANCUI_2020)


class LayoutNotFound(LookupError):
    """A variant the region's template does not have."""


def choose(region: str, year: int, variant: str = "") -> Layout:
    """The region's template for the year: the latest of its layouts that started by then, else the
    default. A variant (专项资金) must exist for the region-year: :class:`LayoutNotFound` otherwise."""
    candidates = [
        layout
        for layout in LAYOUTS
        if layout.region == region and layout.first_year <= year and layout.variant == variant
    ]
    if candidates:
        return max(candidates, key=lambda layout: layout.first_year)
    if variant:
        raise LayoutNotFound(f"{region} {year} 年没有“{variant}”格式的绩效目标表。")
    return DEFAULT


def variants_for(region: str, year: int) -> list[str]:
    """The variants (专项资金) the region's template offers for the year, besides the plain table."""
    found = []
    for layout in LAYOUTS:
        if layout.variant and layout.region == region and layout.first_year <= year:
            if layout.variant not in found:
                found.append(layout.variant)
    return found
