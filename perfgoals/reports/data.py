"""What the printed forms say, assembled once from the database and used by every output.

A :class:`ProjectForm` is the 项目支出绩效自评表 of one project-year as plain immutable data (budget
block, goal texts, indicator rows grouped by level 1 and level 2, total, notes); a
:class:`DepartmentYear` is a department's projects of one year, from which the summary table and the
narrative report are made. The Excel, Word and HTML builders only lay this data out, so the three
formats can never disagree about a figure.

The figures are the stored results of ``perfgoals.scoring.recompute`` (scores, total, grade): the
reports print what the system scored, never a second computation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from perfgoals.choices import LOCKED_STATUSES, Status
from perfgoals.engine import Scheme, vocabulary
from perfgoals.models import Indicator, reported_above
from projects.choices import BudgetSource
from projects.models import Department, Project

from . import formatting as fmt
from .models import style_of
from .style import DEFAULT as DEFAULT_STYLE
from .style import SCORES_AS_PRINTED, Style

#: how each fund line is labelled in the budget block (年度资金总额 comes first)
BUDGET_LABELS = {
    BudgetSource.CURRENT_YEAR: "其中：当年财政拨款",
    BudgetSource.CARRYOVER: "上年结转资金",
    BudgetSource.OTHER: "其他资金",
}

#: level-1 blocks in print order (成本指标 first where the 2021 vocabulary is used, as seed 003 prints)
_LEVEL1_ORDER = tuple(vocabulary.GENERATION_LEVEL1["2021"]) + tuple(
    code for code in vocabulary.LEVEL1 if code not in vocabulary.GENERATION_LEVEL1["2021"]
)
#: level-2 blocks in print order, both generations
_LEVEL2_ORDER = tuple(
    dict.fromkeys((*vocabulary.GENERATIONS["2019"], *vocabulary.GENERATIONS["2021"], *vocabulary.LEVEL2))
)


@dataclass(frozen=True)
class BudgetRow:
    """One line of the 项目预算执行情况 block. ``is_total`` marks 年度资金总额, which carries the
    weight and the score; the fund lines print "-" there, as the seed does."""

    label: str
    initial: Decimal | None
    annual: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    is_total: bool = False
    weight: Decimal | None = None
    score: Decimal | None = None


def reported_above_text(reported: Decimal | None, computed: Decimal | None, what: str = "") -> str:
    """ "自报 10.00，高于计算 1.80（高出 8.20）", as the entry and review pages say it (the xlsx's
    comments and 核对 sheet, the print's 核对 list)."""
    gap = (reported or Decimal(0)) - (computed or Decimal(0))
    return (
        f"{what}自报 {fmt.score_cell(reported)}，高于计算 {fmt.score_cell(computed)}"
        f"（高出 {fmt.score_cell(gap)}）"
    )


@dataclass(frozen=True)
class ReportedAboveLine:
    """One line of the print's 核对 list: the mark beside the 得分 cell (※1 …), what and the gap."""

    mark: int
    name: str
    text: str


@dataclass(frozen=True)
class IndicatorRow:
    """One level-3 indicator as printed; ``missed`` when it scored below its weight (or the engine
    asks for a deviation note); ``empty`` for the "无" line of an empty level-2 category."""

    name: str
    target: str
    actual: str
    weight: Decimal | None
    score: Decimal | None
    deviation_note: str
    missed: bool = False
    empty: bool = False
    #: the score the unit reported (at submission, or printed in an imported form)
    reported: Decimal | None = None

    @property
    def reported_above(self) -> Decimal | None:
        """How far the reported score exceeds the computed one (None when it does not)."""
        return reported_above(self.reported, self.score)


@dataclass(frozen=True)
class Level2Block:
    code: str
    name: str
    rows: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class Level1Block:
    """A level-1 category with its header weight, e.g. 产出指标（50分）."""

    code: str
    name: str
    weight: Decimal | None
    blocks: tuple[Level2Block, ...]
    #: the level-1 cell is printed blank (the form prints no label for this block: seed 001 附件3)
    unlabelled: bool = False

    @property
    def label(self) -> str:
        if self.unlabelled:
            return ""
        if self.weight is None:
            return self.name
        return f"{self.name}（{fmt.score(self.weight)}分）"

    @property
    def label_lines(self) -> str:
        """The label broken before the weight, for narrow cells: "产出指标\n（50分）"."""
        return self.label.replace("（", "\n（", 1)

    @property
    def row_count(self) -> int:
        return sum(len(block.rows) for block in self.blocks)


@dataclass(frozen=True)
class ProjectForm:
    """The 项目支出绩效自评表 of one project-year."""

    project_id: int
    year: int
    name: str
    region: str
    department: str
    unit: str
    #: 资金使用单位 as the summary prints it: the project's own, else the unit's name
    fund_user: str
    contact_phone: str
    status: str
    status_label: str
    budget_rows: tuple[BudgetRow, ...]
    execution_weight: Decimal
    goal_text: str
    goal_result_text: str
    level1_blocks: tuple[Level1Block, ...]
    total: Decimal | None
    grade: str
    complete: bool
    low_score_threshold: Decimal
    low_score_explanation: str
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    #: the total the unit reported (at submission, or printed in an imported form)
    reported_total: Decimal | None = None
    #: the name the 汇总表 and the report print (``Project.summary_name``, else the name)
    summary_name: str = ""
    #: how the region prints its forms, and this form's place in its department-year (附件 N)
    style: Style = DEFAULT_STYLE
    attachment_number: int | None = None
    #: the imported form left the 预算执行 得分 blank: printed blank, flagged for the reviewer
    execution_blank: bool = False

    @property
    def attachment(self) -> str:
        """ "附件 2" where the region numbers its forms, else ""."""
        return self.style.attachment(self.attachment_number)

    @property
    def printed_name(self) -> str:
        """The project's name in the summary and the report."""
        return self.summary_name or self.name

    @property
    def grade_in_total_row(self) -> str:
        """ "自评等级：优" where the region prints the grade in the total row, else ""."""
        if self.style.total_row_grade and self.complete and self.grade:
            return f"自评等级：{self.grade}"
        return ""

    def score_text(self, value: Decimal | None) -> str:
        """A score as the region prints it: two places (100.00), or as printed (100, 9.5)."""
        if self.style.scores == SCORES_AS_PRINTED:
            return fmt.score(value)
        return fmt.score_cell(value)

    @property
    def reported_total_above(self) -> Decimal | None:
        """How far the reported total exceeds the computed one (None when it does not)."""
        return reported_above(self.reported_total, self.total)

    @property
    def reported_above_rows(self) -> list[IndicatorRow]:
        """The indicator rows whose reported score exceeds the computed one."""
        return [row for row in self.rows if row.reported_above is not None]

    @property
    def reported_above_lines(self) -> list[ReportedAboveLine]:
        """The print's 核对 list: each row reported above its computed score, then the total, numbered
        as the marks beside their 得分 cells."""
        lines = [
            ReportedAboveLine(n, row.name, reported_above_text(row.reported, row.score))
            for n, row in enumerate(self.reported_above_rows, 1)
        ]
        if self.reported_total_above is not None:
            lines.append(
                ReportedAboveLine(
                    len(lines) + 1, "总分", reported_above_text(self.reported_total, self.total)
                )
            )
        return lines

    def reported_above_mark(self, row: IndicatorRow | None) -> int | None:
        """The mark of ``row`` (None: the total) in :attr:`reported_above_lines`, None without one."""
        if row is None:
            return len(self.reported_above_rows) + 1 if self.reported_total_above is not None else None
        return next((n for n, r in enumerate(self.reported_above_rows, 1) if r is row), None)

    @property
    def title(self) -> str:
        return self.style.form_title

    @property
    def budget_total(self) -> BudgetRow:
        return self.budget_rows[0]

    @property
    def rows(self) -> list[IndicatorRow]:
        """Every indicator row (without the "无" lines), in print order."""
        return [row for l1 in self.level1_blocks for l2 in l1.blocks for row in l2.rows if not row.empty]

    @property
    def indicator_row_count(self) -> int:
        """Rows of the indicator block, "无" lines included (the height of the 年度绩效指标 label)."""
        return sum(block.row_count for block in self.level1_blocks)

    @property
    def missed_rows(self) -> list[IndicatorRow]:
        return [row for row in self.rows if row.missed]

    @property
    def low_score_required(self) -> bool:
        """Whether the total requires the below-80 explanation (threshold from the scheme)."""
        return self.complete and self.total is not None and self.total < self.low_score_threshold

    @property
    def approved(self) -> bool:
        return self.status in LOCKED_STATUSES


def scheme_notes(scheme: Scheme) -> tuple[str, ...]:
    """The notes printed under the 自评表, made from the scheme's own rules.

    For the Shandong 2019 scheme these are word for word the five notes of seed 001 附件1; other
    schemes get the same sentences with their own bands, formulas and thresholds.
    """
    notes: list[str] = []
    if scheme.cap_at_weight:
        notes.append("得分一档最高不能超过该指标分值上限。")
    bands = sorted(scheme.bands.get(scheme.default_scale, ()), key=lambda band: band.high_pct, reverse=True)
    if bands:
        ranges = []
        for band in bands:
            low = fmt.format_decimal(band.low_pct)
            high = fmt.format_decimal(band.high_pct)
            ranges.append(f"{high}-{low}%(含)" if band.low_pct > 0 else f"{high}-{low}%")
        count = "一二三四五六七八九十"[len(bands) - 1] if len(bands) <= 10 else str(len(bands))
        notes.append(
            f"定性指标根据指标完成情况分为：{'、'.join(band.name for band in bands)}{count}档，"
            f"分别按照该指标对应分值区间 {'、'.join(ranges)}合理确定分值。"
        )
    if scheme.full_when_met:
        positive = (
            "定量指标若为正向指标（即指标值为≥*），完成年度指标值的得满分，未完成的按全年实际值（B）/"
            "年度指标值（A）*该指标分值计算"
        )
    else:
        positive = (
            "定量指标若为正向指标（即指标值为≥*），"
            "则得分计算方法应用全年实际值（B）/年度指标值（A）*该指标分值"
        )
    if scheme.negative_formula == "linear_excess":
        negative = (
            "若定量指标为反向指标（即指标值为≤*），全年实际值（B）不超过年度指标值（A）的得满分，超过的按"
            "（1-（B-A）/A）*该指标分值计算，达到年度指标值 2 倍及以上的不得分。"
        )
    else:
        negative = (
            "若定量指标为反向指标（即指标值为≤*），"
            "则得分计算方法应用年度指标值（A）/全年实际值（B）*该指标分值。"
        )
    notes.append(f"{positive}；{negative}")
    notes.append("请在“未完成原因分析”中说明偏离目标、不能完成目标的原因。")
    if scheme.overshoot_threshold is not None:
        share = fmt.format_decimal(scheme.overshoot_threshold * 100)
        notes.append(f"全年实际值超过年度指标值 {share}% 及以上的，应说明年度指标值设定偏低等原因。")
        if scheme.overshoot_deduction:
            amount = fmt.format_decimal(scheme.overshoot_deduction)
            if scheme.overshoot_deduction_as == "share":
                amount = f"该指标分值的 {fmt.format_decimal(scheme.overshoot_deduction * 100)}%"
            else:
                amount = f"{amount} 分"
            notes.append(
                f"正向定量指标全年实际值超过年度指标值 {share}% 及以上的，按指标偏离扣 {amount}（不低于 0 分）。"
            )
    threshold = fmt.format_decimal(scheme.low_score_threshold)
    notes.append(f"自评得分在 {threshold} 分以下的，要简要说明绩效目标未实现的原因和下一步拟采取的具体措施。")
    return tuple(notes)


def with_form_data(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The queryset with everything a form needs, in a fixed number of queries."""
    return queryset.select_related("unit__department__region", "evaluation__scheme").prefetch_related(
        "budget_lines", Prefetch("indicators", queryset=Indicator.objects.order_by("order"))
    )


_OPERATORS = tuple("≥≤=＝<>＜＞≧≦")
_BARE_NUMBER = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")


def printed_target(indicator: Indicator) -> str:
    """年度指标值 as the form prints it. Structured goal tables (seed 002) keep 指标性质, 指标值 and
    度量单位 in three columns ("≥", "90", "%"); the 自评表 has one column, so they are joined: "≥90%"."""
    text = indicator.target_text or ""
    nature = (indicator.nature_printed or "").strip()
    if nature == "定性":
        return text
    if nature and text.strip() and not text.lstrip().startswith(_OPERATORS):
        text = f"{nature}{text.strip()}"
    unit = (indicator.unit_printed or "").strip()
    if unit and text.strip() and not text.rstrip().endswith(unit):
        text = f"{text.rstrip()}{unit}"
    return text


def printed_actual(indicator: Indicator) -> str:
    """实际完成值 as printed; a bare number entered against a 度量单位 column gets the unit ("92" → "92%")."""
    text = indicator.actual_text or ""
    unit = (indicator.unit_printed or "").strip()
    if unit and (indicator.nature_printed or "").strip() != "定性" and _BARE_NUMBER.fullmatch(text):
        return f"{text.strip()}{unit}"
    return text


def _indicator_row(indicator: Indicator) -> IndicatorRow:
    missed = "deviation_note_required" in (indicator.flags or []) or (
        indicator.score is not None and indicator.weight is not None and indicator.score < indicator.weight
    )
    return IndicatorRow(
        name=indicator.name,
        target=printed_target(indicator),
        actual=printed_actual(indicator),
        weight=indicator.weight,
        score=indicator.score,
        deviation_note=indicator.deviation_note,
        missed=missed and not indicator.not_applicable,
        reported=None if indicator.not_applicable else indicator.reported_score,
    )


def _level1_blocks(project: Project, declared: dict, style: Style = DEFAULT_STYLE) -> tuple[Level1Block, ...]:
    indicators = list(project.indicators.all())
    groups: dict[str, dict[str, list[IndicatorRow]]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(
            _indicator_row(indicator)
        )
    for pair in project.empty_level2 or []:
        level1, level2 = pair
        groups.setdefault(level1, {}).setdefault(level2, [])
    blocks = []
    for level1 in sorted(groups, key=lambda code: _LEVEL1_ORDER.index(code) if code in _LEVEL1_ORDER else 99):
        level2s = groups[level1]
        level2_blocks = tuple(
            Level2Block(
                code=level2,
                name=vocabulary.level2_name(level2),
                rows=tuple(level2s[level2])
                or (
                    IndicatorRow(
                        name=style.empty_category_text,
                        target="",
                        actual="",
                        weight=None,
                        score=None,
                        deviation_note="",
                        empty=True,
                    ),
                ),
            )
            for level2 in sorted(
                level2s, key=lambda code: _LEVEL2_ORDER.index(code) if code in _LEVEL2_ORDER else 99
            )
        )
        weight = declared.get(level1)
        unlabelled = False
        if weight is not None:
            weight = Decimal(str(weight))
        elif declared and style.blank_undeclared_level1:
            # the form prints header weights but none (and no label) for this block: seed 001 附件3
            unlabelled = True
        else:
            # no header weight printed (seed 001 附件3 omits 效益指标's): print what its rows are worth
            weights = [row.weight for block in level2_blocks for row in block.rows if row.weight is not None]
            weight = sum(weights, Decimal(0)) if weights else None
        blocks.append(
            Level1Block(
                code=level1,
                name=vocabulary.level1_name(level1),
                weight=weight,
                blocks=level2_blocks,
                unlabelled=unlabelled,
            )
        )
    return tuple(blocks)


def _budget_rows(
    project: Project, evaluation, scheme: Scheme | None, execution_blank: bool = False
) -> tuple[BudgetRow, ...]:
    totals = project.budget_totals()
    lines = {line.source: line for line in project.budget_lines.all()}
    rows = [
        BudgetRow(
            label="年度资金总额",
            initial=totals["initial"],
            annual=totals["annual"],
            executed=totals["executed"],
            rate=evaluation.execution_rate
            if evaluation
            else fmt.execution_rate(totals["annual"], totals["executed"]),
            is_total=True,
            weight=scheme.execution_weight if scheme else None,
            score=evaluation.execution_score if evaluation and not execution_blank else None,
        )
    ]
    for source, label in BUDGET_LABELS.items():
        line = lines.get(source)
        rows.append(
            BudgetRow(
                label=label,
                initial=line.initial if line else None,
                annual=line.annual if line else None,
                executed=line.executed if line else None,
                rate=fmt.execution_rate(line.annual, line.executed) if line else None,
            )
        )
    return tuple(rows)


def project_form(
    project: Project, style: Style | None = None, attachment_number: int | None = None
) -> ProjectForm:
    """The 自评表 of one project (use :func:`with_form_data` on the queryset for lists). ``style``:
    the region's (one query when not given); ``attachment_number``: its place in the department-year
    (附件 N), counted when the style numbers its forms and it is not given."""
    if style is None:
        style = style_of(project.unit.department.region_id)
    if attachment_number is None and style.attachment_numbers:
        attachment_number = Project.objects.filter(
            department_id=project.department_id, year=project.year, pk__lte=project.pk
        ).count()
    evaluation = getattr(project, "evaluation", None)
    execution_blank = bool(evaluation and evaluation.execution_printed_blank)
    scheme = evaluation.scheme.engine_scheme() if evaluation else None
    warnings = [
        w.get("message", "") for w in (evaluation.warnings if evaluation else []) if isinstance(w, dict)
    ]
    if evaluation is None:
        warnings.append("尚未建立自评记录")
    status = evaluation.status if evaluation else Status.DRAFT
    return ProjectForm(
        project_id=project.pk,
        year=project.year,
        name=project.name,
        region=project.unit.department.region.name,
        department=project.unit.department.name,
        unit=project.unit.name,
        fund_user=project.fund_user_name,
        contact_phone=project.contact_phone,
        status=status,
        status_label=Status(status).label,
        budget_rows=_budget_rows(project, evaluation, scheme, execution_blank),
        execution_weight=scheme.execution_weight if scheme else Decimal(10),
        goal_text=project.goal_text,
        goal_result_text=project.goal_result_text,
        level1_blocks=_level1_blocks(
            project, (evaluation.declared_level1_weights if evaluation else None) or {}, style
        ),
        total=evaluation.total_score if evaluation else None,
        grade=evaluation.grade if evaluation else "",
        complete=bool(evaluation and evaluation.complete),
        low_score_threshold=scheme.low_score_threshold if scheme else Decimal(80),
        low_score_explanation=evaluation.low_score_explanation if evaluation else "",
        notes=scheme_notes(scheme) if scheme else (),
        warnings=tuple(warnings),
        reported_total=evaluation.reported_total if evaluation else None,
        summary_name=project.summary_name.strip(),
        style=style,
        attachment_number=attachment_number,
        execution_blank=execution_blank,
    )


@dataclass(frozen=True)
class SummaryRow:
    """One row of the 部门预算项目绩效自评情况汇总表."""

    seq: int
    project_id: int
    name: str
    fund_user: str  # 资金使用单位: the project's own, else its unit's name
    score: Decimal | None
    grade: str
    complete: bool
    status_label: str


@dataclass(frozen=True)
class DepartmentYear:
    """A department's projects of one fiscal year, with their forms: the source of the summary and
    the narrative report."""

    department_id: int
    department: str
    region: str
    year: int
    forms: tuple[ProjectForm, ...]
    style: Style = DEFAULT_STYLE

    @property
    def title_prefix(self) -> str:
        return f"{self.year} 年度{self.department}"

    @property
    def summary_title(self) -> str:
        return f"{self.title_prefix}部门预算项目绩效自评情况汇总表"

    @property
    def report_title(self) -> str:
        return f"{self.title_prefix}绩效评价报告"

    @property
    def summary_rows(self) -> list[SummaryRow]:
        return [
            SummaryRow(
                seq=index,
                project_id=form.project_id,
                name=form.printed_name,
                fund_user=form.fund_user,
                score=form.total if form.complete else None,
                grade=form.grade if form.complete else "",
                complete=form.complete,
                status_label=form.status_label,
            )
            for index, form in enumerate(self.forms, start=1)
        ]

    @property
    def incomplete(self) -> list[ProjectForm]:
        """Forms whose scoring is not complete: they print no score or grade."""
        return [form for form in self.forms if not form.complete]

    @property
    def unapproved(self) -> list[ProjectForm]:
        """Forms whose self-evaluation the department has not approved yet."""
        return [form for form in self.forms if not form.approved]

    def budget_sum(self, field: str) -> Decimal | None:
        values = [getattr(form.budget_total, field) for form in self.forms]
        values = [value for value in values if value is not None]
        return sum(values, Decimal(0)) if values else None


def department_year(department: Department, year: int, projects: Iterable[Project]) -> DepartmentYear:
    """A department-year from already scoped projects (ordered as they should print: 附件 1, 2, …)."""
    style = style_of(department.region_id)
    return DepartmentYear(
        department_id=department.pk,
        department=department.name,
        region=department.region.name,
        year=year,
        forms=tuple(project_form(project, style, number) for number, project in enumerate(projects, start=1)),
        style=style,
    )


def department_projects(projects: QuerySet[Project], department: Department, year: int) -> QuerySet[Project]:
    """The department's projects of the year from a scoped queryset, in print order (the order the
    projects were entered, which for the seeds is the order of the published forms)."""
    return with_form_data(projects.filter(department=department, year=year)).order_by("pk")
