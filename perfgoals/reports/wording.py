"""The narrative text of the 绩效评价报告: generated from the data, or the department's own wording.

The narrative is generated from the data (a :class:`~.data.DepartmentYear`) in the register the
seed's report uses ("2019 年，我局自评项目个数 3 个，分别为……"): figures in 万元 as printed, rates
in %, no adjectives the data cannot support. The department may reword any section; a section left
as generated keeps following the data until the report is finalised.

This module only reads. Changing the stored wording is :mod:`.actions`; printing it is
:mod:`.docx_report` and :mod:`.html`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from . import formatting as fmt
from .data import DepartmentYear, ProjectForm
from .models import SECTIONS, DepartmentReportText
from .style import DEFAULT_SECTIONS

_CN_DIGITS = "零一二三四五六七八九"


# --- wording helpers ------------------------------------------------------------------------------


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (for （一）（二） numbering)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def self_reference(department: str) -> str:
    """How a department names itself in its own report: 我局, 我委, 我中心 … or 我部门."""
    for suffix, short in (
        ("委员会", "委"),
        ("局", "局"),
        ("委", "委"),
        ("中心", "中心"),
        ("办公室", "办"),
        ("厅", "厅"),
        ("院", "院"),
        ("所", "所"),
        ("站", "站"),
    ):
        if department.endswith(suffix):
            return f"我{short}"
    return "我部门"


_NUMBERING = re.compile(r"^\s*[（(]?\d{1,2}[)）]?\s*[、.．]?\s*(?=\D)")


def plain_name(name: str) -> str:
    """An indicator name without its printed numbering: "1、居民参保缴费人数" → "居民参保缴费人数"."""
    stripped = _NUMBERING.sub("", name, count=1).strip()
    return stripped or name.strip()


def _sentence(text: str) -> str:
    """Text that ends like a sentence (。), whatever punctuation the user left at the end."""
    text = " ".join(text.split("\n")).strip()
    if not text:
        return ""
    text = text.rstrip("；;，,、 ")
    return text if text[-1] in "。！？!?.”" else f"{text}。"


_OPERATOR_VARIANTS = str.maketrans({"≧": "≥", "≦": "≤", "＝": "="})


def _compact(text: str) -> str:
    """A printed cell on one line (the seeds break cells anywhere), with the odd operator glyphs of
    the print ("≧70%") written the usual way in running text."""
    joined = " ".join(part.strip() for part in (text or "").splitlines() if part.strip())
    return joined.translate(_OPERATOR_VARIANTS)


def _names(forms: Iterable[ProjectForm]) -> str:
    return "、".join(form.printed_name for form in forms)


def _amount(value: Decimal | None) -> str:
    return f"{fmt.money(value)} 万元"


def _execution_clause(form: ProjectForm, with_executed: bool = True) -> str:
    total = form.budget_total
    if total.annual is None:
        return f"{form.printed_name}未填报全年预算数"
    clause = f"{form.printed_name}全年预算数 {_amount(total.annual)}"
    if not with_executed:
        return clause
    if total.executed is None:
        return f"{clause}，尚未填报全年执行数"
    clause += f"，全年执行数 {_amount(total.executed)}"
    if total.rate is not None:
        clause += f"，预算执行率 {fmt.percent(total.rate)}"
    return clause


# --- the four sections ----------------------------------------------------------------------------


def _overall_execution(forms: tuple[ProjectForm, ...]) -> str:
    """The 总体预算执行率 over the projects that have both figures, saying how many have them: a
    project without an 执行数 is left out, never counted as nothing spent (8 projects of which one had
    figures once printed 2.2 %)."""
    with_figures = [
        form
        for form in forms
        if form.budget_total.annual is not None
        and form.budget_total.annual > 0
        and form.budget_total.executed is not None
    ]
    if len(forms) < 2 or not with_figures:
        return ""
    annual = sum((form.budget_total.annual for form in with_figures), Decimal(0))
    executed = sum((form.budget_total.executed for form in with_figures), Decimal(0))
    rate = fmt.execution_rate(annual, executed)
    sums = f"全年预算数合计 {_amount(annual)}，全年执行数合计 {_amount(executed)}，总体预算执行率 {fmt.percent(rate)}。"
    if len(with_figures) == len(forms):
        return f"上述 {len(forms)} 个项目{sums}"
    return f"{len(forms)} 个项目中 {len(with_figures)} 个项目有执行数据，其{sums}"


def _work_overview(dy: DepartmentYear) -> str:
    we = self_reference(dy.department)
    forms = dy.forms
    if not forms:
        return f"{dy.year} 年，{we}无纳入绩效自评范围的项目。"
    # before the year's figures are in, one sentence says so instead of one per project
    executed_known = any(form.budget_total.executed is not None for form in forms)
    first = (
        f"{dy.year} 年，{we}自评项目个数 {len(forms)} 个，分别为{_names(forms)}。"
        + "；".join(_execution_clause(form, executed_known) for form in forms)
        + "。"
    )
    if not executed_known:
        first += "上述项目尚未填报全年执行数。"
    first += _overall_execution(forms)
    units = list(dict.fromkeys(form.unit for form in forms if form.unit != dy.department))
    who = f"项目实施单位{('、'.join(units))}" if units else "相关科室"
    second = (
        f"{we}高度重视绩效评价自评工作，组织{who}对上述项目 {dy.year} 年的资金使用和绩效目标完成情况进行了"
        "汇总、分析，对照年初设定的绩效目标逐项填报实际完成值，认真填写了相关表格，并按照评分规则进行了分数自评。"
    )
    return "\n".join([first, second])


def _problems_reference(dy: DepartmentYear) -> str:
    """Where the report tells the problems: "见第三部分" (its 存在的问题 section), else "见下文" (they
    close 自评结果概述, see :func:`generate_sections`)."""
    fields = dy.style.section_fields
    if "problems" in fields:
        return f"见第{cn_number(fields.index('problems') + 1)}部分"
    return "见下文"


def _results_overview(dy: DepartmentYear) -> str:
    we = self_reference(dy.department)
    complete = [form for form in dy.forms if form.complete]
    paragraphs: list[str] = []
    if not dy.forms:
        return "本年度无自评项目。"
    if not complete:
        paragraphs.append(f"截至目前，{_names(dy.forms)}尚未完成自评评分。")
    else:
        scores = {form.total for form in complete}
        grades = {form.grade for form in complete}
        if len(complete) == 1:
            form = complete[0]
            first = f"经{we}自评，{form.printed_name}项目自评得分 {fmt.score(form.total)} 分，自评等级为“{form.grade}”。"
        elif len(scores) == 1 and len(grades) == 1:
            first = (
                f"经{we}自评，{_names(complete)} {len(complete)} 个项目自评均为 "
                f"{fmt.score(complete[0].total)} 分，"
                f"自评等级均为“{complete[0].grade}”。"
            )
        else:
            counts = Counter(form.grade for form in complete)
            order = [grade for grade in ("优", "良", "中", "差") if counts[grade]] + [
                grade for grade in counts if grade not in ("优", "良", "中", "差")
            ]
            by_grade = "、".join(
                f"{'自评等级为' if i == 0 else ''}“{grade}”的 {counts[grade]} 个"
                for i, grade in enumerate(order)
            )
            average = (sum((form.total for form in complete), Decimal(0)) / len(complete)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            details = "，".join(
                f"{form.printed_name} {fmt.score(form.total)} 分（{form.grade}）" for form in complete
            )
            first = (
                f"经{we}自评，{len(complete)} 个项目中，{by_grade}，平均得分 {fmt.score(average)} 分。"
                f"其中，{details}。"
            )
        incomplete = dy.incomplete
        if incomplete:
            first += f"{_names(incomplete)}尚未完成评分，未计入上述结果。"
        paragraphs.append(first)
        rows = [row for form in complete for row in form.rows]
        missed = [row for row in rows if row.missed]
        if rows:
            if missed:
                paragraphs.append(
                    f"上述项目共设置三级绩效指标 {len(rows)} 项，"
                    f"其中 {len(rows) - len(missed)} 项达到年度指标值，"
                    f"{len(missed)} 项未达到年度指标值，具体情况{_problems_reference(dy)}。"
                )
            else:
                paragraphs.append(f"上述项目共设置三级绩效指标 {len(rows)} 项，均达到年度指标值。")
    results = [form for form in complete if form.goal_result_text.strip()]
    for index, form in enumerate(results, start=1):
        paragraphs.append(
            f"（{cn_number(index)}）{form.printed_name}。{_sentence(_compact(form.goal_result_text))}"
        )
    return "\n".join(paragraphs)


def _problems(dy: DepartmentYear) -> str:
    paragraphs = _problem_paragraphs(dy)
    if paragraphs:
        return "\n".join(paragraphs)
    complete = [form for form in dy.forms if form.complete]
    if not complete:
        return "各项目尚未完成自评评分，暂无法分析存在的问题。"
    # "预算全部执行" only when every rate is known to be 100%: a missing figure is not a full one
    fully_spent = all(form.budget_total.rate is not None and form.budget_total.rate >= 1 for form in complete)
    budget = "预算全部执行，" if fully_spent else ""
    return f"经自评，各项目绩效指标均达到年度指标值，{budget}未发现偏离绩效目标的情况。"


def _problem_paragraphs(dy: DepartmentYear) -> list[str]:
    """（一）… per project that missed a target, spent less than its budget or scored below 80."""
    paragraphs: list[str] = []
    for form in dy.forms:
        if not form.complete:
            continue
        parts: list[str] = []
        total = form.budget_total
        if (
            total.rate is not None
            and total.rate < 1
            and total.annual is not None
            and total.executed is not None
        ):
            parts.append(
                f"全年预算数 {_amount(total.annual)}，全年执行数 {_amount(total.executed)}，预算执行率 "
                f"{fmt.percent(total.rate)}，尚有 {_amount(total.annual - total.executed)}未执行。"
            )
        for row in form.missed_rows:
            sentence = (
                f"“{plain_name(row.name)}”年度指标值为“{_compact(row.target)}”，"
                f"实际完成“{_compact(row.actual) or '未填报'}”"
            )
            if row.score is not None and row.weight is not None:
                sentence += f"，得分 {fmt.score(row.score)} 分（分值 {fmt.score(row.weight)} 分）"
            sentence += "。"
            note = _compact(row.deviation_note)
            sentence += f"偏差原因及改进措施：{_sentence(note)}" if note else "尚未填写偏差原因分析。"
            parts.append(sentence)
        if form.low_score_required:
            threshold = fmt.format_decimal(form.low_score_threshold)
            explanation = _compact(form.low_score_explanation)
            low = f"该项目自评得分 {fmt.score(form.total)} 分，低于 {threshold} 分。"
            low += (
                f"未实现绩效目标的原因及拟采取的措施：{_sentence(explanation)}"
                if explanation
                else "尚未说明未实现绩效目标的原因及拟采取的措施。"
            )
            parts.append(low)
        if parts:
            paragraphs.append(f"（{cn_number(len(paragraphs) + 1)}）{form.printed_name}。" + "".join(parts))
    return paragraphs


def generate_sections(dy: DepartmentYear) -> dict[str, str]:
    """Every section as generated from the data; 下一步工作措施 is the department's own text. Where
    the region's report has no 存在的问题 section (the seed's three sections), the problems found are
    told at the end of 自评结果概述 instead, so that no fact is dropped."""
    results = _results_overview(dy)
    if "problems" not in dy.style.section_fields:
        found = _problem_paragraphs(dy)
        if found:
            results = "\n".join([results, "存在的问题及原因：", *found])
    return {
        "work_overview": _work_overview(dy),
        "results_overview": results,
        "problems": _problems(dy),
        "next_steps": "",
    }


# --- the department's wording ---------------------------------------------------------------------


def normalise_text(text: str | None) -> str:
    """Text as stored: Unix line ends, no trailing spaces, no empty paragraphs, trimmed."""
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class ReportText:
    """The wording of a department-year's report as it now reads."""

    title: str
    department: str
    year: int
    sections: dict[str, str]
    generated: dict[str, str]
    edited: frozenset[str]
    stale: frozenset[str]
    is_final: bool
    finalized_at: datetime | None
    #: the region's sections in print order: (field, heading)
    headings: tuple[tuple[str, str], ...] = DEFAULT_SECTIONS

    def paragraphs(self, field: str) -> list[str]:
        return [line for line in self.sections[field].split("\n") if line.strip()]

    @property
    def headed_sections(self) -> list[tuple[str, str, list[str]]]:
        """(field, heading, paragraphs) in print order."""
        return [(field, heading, self.paragraphs(field)) for field, heading in self.headings]

    @property
    def missing(self) -> list[str]:
        """Headings of printed sections that are still empty (下一步工作措施 not written yet)."""
        return [heading for field, heading in self.headings if not self.sections[field].strip()]


def _record(dy: DepartmentYear) -> DepartmentReportText | None:
    return DepartmentReportText.objects.filter(department_id=dy.department_id, year=dy.year).first()


def report_text(dy: DepartmentYear, record: DepartmentReportText | None = None) -> ReportText:
    """The report's wording: the department's text where it wrote one, else the generated text."""
    record = record if record is not None else _record(dy)
    generated = generate_sections(dy)
    sections, edited, stale = {}, set(), set()
    for field in SECTIONS:
        own = getattr(record, field) if record else ""
        if own:
            sections[field] = own
            edited.add(field)
            snapshot = (record.generated_snapshot or {}).get(field)
            if (
                snapshot is not None
                and snapshot != generated[field]
                and field != "next_steps"
                and not record.is_final
            ):
                stale.add(field)
        else:
            sections[field] = generated[field]
    return ReportText(
        title=dy.report_title,
        department=dy.department,
        year=dy.year,
        sections=sections,
        generated=generated,
        edited=frozenset(edited),
        stale=frozenset(stale),
        is_final=bool(record and record.is_final),
        finalized_at=record.finalized_at if record else None,
        headings=dy.style.sections,
    )
