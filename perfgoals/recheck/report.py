"""The 复核报告 of a region-year as a Word document (issue 14): how the samples were drawn (criteria and
seed, so anyone can draw them again), the result table of the finished items, the gap between self and
复核 scores by department, and the findings. Only finished items are reported: an item in progress is
counted, never shown (its scores are working notes). Built on the official layout of
``reports.docx_report`` so that it looks like the department's 绩效评价报告."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from projects.models import Region

from ..reports.docx_report import (
    STYLE_BODY,
    STYLE_HEADING,
    STYLE_SIGNATURE,
    STYLE_TITLE,
    chinese_date,
    official_document,
)
from .models import DrawReason, RecheckSample
from .pages import DepartmentGap, ItemRow, department_gaps, item_rows

#: the columns of the report's result table
RESULT_COLUMNS = ["序号", "项目名称", "主管部门", "自评得分", "自评等级", "复核总分", "复核等级", "差额"]
GAP_COLUMNS = ["主管部门", "复核项目数", "自评平均分", "复核平均分", "差额（复核−自评）"]
_NUMBERS = {
    "自评得分",
    "复核总分",
    "差额",
    "自评平均分",
    "复核平均分",
    "差额（复核−自评）",
    "复核项目数",
    "序号",
}


def _score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _signed(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


@dataclass
class RecheckReport:
    """What the report says, gathered once (the view and the tests read the same)."""

    region: Region
    year: int
    samples: list[RecheckSample]
    rows: list[ItemRow]

    @property
    def final(self) -> list[ItemRow]:
        return [row for row in self.rows if row.final]

    @property
    def in_progress(self) -> int:
        return sum(1 for row in self.rows if not row.final)

    @property
    def gaps(self) -> list[DepartmentGap]:
        return department_gaps(self.rows)

    @property
    def lowered(self) -> int:
        """Finished items whose 复核等级 is below the self-evaluation's grade."""
        order = {"优": 4, "良": 3, "中": 2, "差": 1}
        return sum(
            1
            for row in self.final
            if row.self_grade in order and order.get(row.recheck.grade, 0) < order[row.self_grade]
        )

    @property
    def title(self) -> str:
        return f"{self.region.name}{self.year}年度项目支出绩效自评抽查复核报告"


def gather(region: Region, year: int) -> RecheckReport:
    """The samples of the region-year (oldest first) and their items' rows."""
    samples = list(
        RecheckSample.objects.filter(region=region, year=year).select_related("created_by").order_by("pk")
    )
    rows: list[ItemRow] = []
    for sample in samples:
        items = sample.items.select_related(
            "evaluation__project__unit", "evaluation__project__department", "evaluation__scheme"
        ).order_by("order")
        rows.extend(item_rows(items))
    return RecheckReport(region, year, samples, rows)


def _criteria_text(sample: RecheckSample) -> str:
    labels = dict(DrawReason.choices)
    parts = [f"{labels.get(code, code)} {count} 个" for code, count in sample.criteria.items()]
    return "、".join(parts) or "无"


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = None
                if header[c] in _NUMBERS and r > 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                elif r == 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.font.size = Pt(10.5)
                    run.font.bold = r == 0


def report_document(report: RecheckReport, stamp: datetime | None = None) -> bytes:
    """The 复核报告 as .docx bytes."""
    document = official_document()
    body = lambda text: document.add_paragraph(text, style=STYLE_BODY)  # noqa: E731
    document.add_paragraph(report.title, style=STYLE_TITLE)

    document.add_paragraph("一、复核范围和方法", style=STYLE_HEADING)
    total = len(report.rows)
    body(
        f"{report.region.finance_bureau}对{report.region.name}{report.year}年度已提交的项目支出绩效自评进行抽查复核，"
        f"共抽取样本 {len(report.samples)} 批、项目 {total} 个，已完成复核 {len(report.final)} 个"
        + (f"，另有 {report.in_progress} 个正在复核，未列入本报告。" if report.in_progress else "。")
    )
    body(
        "抽取顺序：风险分最高的项目，全年预算数最大的项目，预算执行率最低的项目，其余项目中按随机种子随机抽取；"
        "同一项目只抽一次。相同条件和随机种子在相同数据上抽出相同样本。"
    )
    for sample in report.samples:
        when = chinese_date(sample.created_at)
        who = sample.created_by.first_name or sample.created_by.username
        body(
            f"样本 #{sample.pk}：{when}由{who}抽取，抽取条件为{_criteria_text(sample)}，随机种子 {sample.seed}，"
            f"抽中 {sum(1 for r in report.rows if r.item.sample_id == sample.pk)} 个项目。"
            + (f"备注：{sample.notes}" if sample.notes else "")
        )

    document.add_paragraph("二、复核结果", style=STYLE_HEADING)
    if report.final:
        body(
            f"已完成复核的 {len(report.final)} 个项目中，复核等级低于自评等级的 {report.lowered} 个。"
            "复核结果如下表（差额为复核总分减自评得分）："
        )
        _table(
            document,
            RESULT_COLUMNS,
            [
                [
                    str(n),
                    row.item.evaluation.project.name,
                    row.item.evaluation.project.department.name,
                    _score(row.self_total),
                    row.self_grade or "—",
                    _score(row.recheck.total),
                    row.recheck.grade or "—",
                    _signed(row.gap),
                ]
                for n, row in enumerate(report.final, start=1)
            ],
        )
    else:
        body("尚无完成复核的项目。")

    document.add_paragraph("三、自评与复核的差异（按主管部门）", style=STYLE_HEADING)
    gaps = report.gaps
    if gaps:
        widest = gaps[0]
        body(
            f"各主管部门所属项目自评平均分与复核平均分的差额如下表，差额为负表示自评偏高；"
            f"差额最大的是{widest.name}（{_signed(widest.gap)} 分）。"
        )
        _table(
            document,
            GAP_COLUMNS,
            [
                [g.name, str(g.count), _score(g.self_mean), _score(g.recheck_mean), _signed(g.gap)]
                for g in gaps
            ],
        )
    else:
        body("尚无可比较的复核结果。")

    document.add_paragraph("四、复核发现的问题", style=STYLE_HEADING)
    found = [row for row in report.final if row.item.findings.strip()]
    if found:
        numerals = "一二三四五六七八九十"
        for n, row in enumerate(found):
            mark = f"（{numerals[n]}）" if n < len(numerals) else f"{n + 1}."
            project = row.item.evaluation.project
            body(f"{mark}{project.name}（{project.unit.name}）：{row.item.findings.strip()}")
    else:
        body("复核未发现需要说明的问题。")

    document.add_paragraph("", style=STYLE_BODY)
    document.add_paragraph(report.region.finance_bureau, style=STYLE_SIGNATURE)
    document.add_paragraph(chinese_date(stamp or timezone.now()), style=STYLE_SIGNATURE)
    properties = document.core_properties
    properties.title = report.title
    properties.author = report.region.finance_bureau
    properties.comments = "由绩效目标与绩效自评系统生成"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
