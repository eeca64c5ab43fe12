"""How a region prints its 自评材料 (the 自评表, the 汇总表 and the 绩效评价报告), as plain data.

A region's published template differs from the national default in small ways that are data, not
code: the form's title and whether each form carries its 附件 number, whether the total row prints the
grade, how scores are printed (two places, or as the unit printed them: "5", "9.5"), what an empty
level-2 category prints, whether a level-1 block whose header weight the form does not print is left
unlabelled (seed 001 附件3 prints its 效益 rows under a blank level-1 cell), and the report's sections.

:class:`Style` is what the builders read; ``reports.models.ReportStyle`` stores one per region (admin
"自评材料版式"); a region without one prints :data:`DEFAULT`. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: every section the report can have: field of DepartmentReportText → the default heading
REPORT_FIELDS: dict[str, str] = {
    "work_overview": "自评工作开展情况",
    "results_overview": "自评结果概述",
    "problems": "存在的问题及原因",
    "next_steps": "下一步工作措施",
}

#: the seed's structure (seed 001: 一、自评工作开展情况 二、自评结果概述 三、下一步工作措施)
DEFAULT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("work_overview", "一、自评工作开展情况"),
    ("results_overview", "二、自评结果概述"),
    ("next_steps", "三、下一步工作措施"),
)

SCORES_TWO_PLACES = "two_places"
SCORES_AS_PRINTED = "as_printed"


def check_sections(value) -> list[tuple[str, str]]:
    """The sections of a style as [(field, heading), …], or ValueError with a Chinese message."""
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("报告结构至少要有一个部分，格式为 [[字段, 标题], …]。")
    sections: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2 or not all(isinstance(v, str) for v in item):
            raise ValueError(f"报告结构的每一项应为 [字段, 标题]，不能是 {item!r}。")
        name, heading = item[0].strip(), item[1].strip()
        if name not in REPORT_FIELDS:
            raise ValueError(f"报告结构中的字段“{name}”无效，可选：{'、'.join(REPORT_FIELDS)}。")
        if not heading:
            raise ValueError(f"报告结构中“{name}”的标题不能为空。")
        if name in dict(sections):
            raise ValueError(f"报告结构中的字段“{name}”重复。")
        sections.append((name, heading))
    return sections


@dataclass(frozen=True)
class Style:
    """How one region prints its self-evaluation outputs."""

    form_title: str = "项目支出绩效自评表"
    #: "附件N" above each form, N its place in the department-year (seed 001: 附件 1 … 附件 3)
    attachment_numbers: bool = False
    #: the total row prints "自评等级：优" beside the 总分 (seed 001 prints the 总分 only)
    total_row_grade: bool = True
    scores: str = SCORES_TWO_PLACES
    #: the 三级指标 cell of a level-2 category without indicators
    empty_category_text: str = "无"
    #: a level-1 block whose header weight the form does not print gets a blank level-1 cell
    blank_undeclared_level1: bool = False
    sections: tuple[tuple[str, str], ...] = field(default=DEFAULT_SECTIONS)

    @property
    def section_fields(self) -> tuple[str, ...]:
        return tuple(name for name, _heading in self.sections)

    def attachment(self, number: int | None) -> str:
        """ "附件 2" for a numbered form, else ""."""
        return f"附件 {number}" if self.attachment_numbers and number else ""


DEFAULT = Style()
