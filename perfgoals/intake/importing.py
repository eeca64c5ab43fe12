"""Writing a plan: :func:`apply_plan` writes a plan without errors in one transaction, checking again
what may have changed since the plan was made; any failure rolls the whole file back.
:func:`import_workbook` plans and applies in one call.

Views (through ``batches``), the Celery task and the ``import_workbook`` command all go through
``planning.plan_import`` and :func:`apply_plan`. Neither queues anything: a caller whose plan
``feeds_library`` queues ``tasks.queue_library_update(project ids)`` after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction

from perfgoals import collector
from perfgoals import scoring as perf_services
from perfgoals.choices import EDITABLE_STATUSES, Status
from perfgoals.models import Evaluation, Indicator
from perfgoals.project_years import create_project_years, replace_project_year
from perfgoals.workflow import bump_evaluation
from projects.models import BudgetLine, Project

from .actors import Actor, history_user
from .models import ImportKind
from .planning import BUDGET_FIELDS, EVALUATION_FILE_FIELDS, Plan, PlannedProject, place_problem, plan_import
from .reader import Problem

logger = logging.getLogger(__name__)


#: the history reason of every row an import creates
CREATED_REASON = "以 Excel 文件导入绩效目标"


class ImportRefused(Exception):
    """Raised by apply_plan when the plan has errors or the database changed under it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(p.text() for p in problems[:5]))


@dataclass
class ApplyReport:
    """What an import wrote."""

    created: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    results: list[int] = field(default_factory=list)
    indicators: int = 0

    @property
    def project_ids(self) -> list[int]:
        return [*self.created, *self.replaced, *self.results]

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "replaced": self.replaced,
            "results": self.results,
            "indicators": self.indicators,
        }

    def text(self) -> str:
        parts = []
        if self.created:
            parts.append(f"新建项目 {len(self.created)} 个")
        if self.replaced:
            parts.append(f"覆盖草稿项目 {len(self.replaced)} 个")
        if self.results:
            parts.append(f"填写完成情况的项目 {len(self.results)} 个")
        return "，".join(parts) + f"，指标 {self.indicators} 条。"


@collector.pausing
def apply_plan(plan: Plan, *, actor: Actor) -> ApplyReport:
    """Write a plan in one transaction. Raises ImportRefused (and writes nothing) when the plan has
    errors or when the database no longer allows it (a project created, submitted or locked since).

    The indicator library is not updated here: when ``plan.feeds_library``, the caller queues
    ``tasks.queue_library_update(report.project_ids)`` once this returns (it runs when the
    transaction commits)."""
    if not plan.ok:
        raise ImportRefused(plan.errors)
    report = ApplyReport()
    try:
        with history_user(actor.user), transaction.atomic():
            _create_projects([p for p in plan.projects if p.action == "create"], report)
            for planned in plan.projects:
                if planned.action != "create":
                    _apply_project(planned, actor, report)
    except IntegrityError as exc:
        logger.warning("import refused by the database: %s", exc)
        raise ImportRefused([Problem(f"写入数据库时发现冲突（可能有人同时创建了同名项目）：{exc}")]) from exc
    return report


def _locked_project(planned: PlannedProject, actor: Actor) -> Project:
    project = (
        actor.projects()
        .select_related("unit__department__region")
        .filter(pk=planned.existing.pk)  # type: ignore[union-attr]
        .first()
    )
    if project is None:
        raise ImportRefused(
            [place_problem(planned.fragment, f"项目「{planned.name}」已不在您可填报的项目中。")]
        )
    evaluation = Evaluation.objects.select_for_update().get(project=project)
    project.evaluation = evaluation
    return project


def _create_projects(planned: list[PlannedProject], report: ApplyReport) -> None:
    """Create the new project-years of a plan in bulk, after checking none appeared since the plan."""
    if not planned:
        return
    wanted = {(p.unit.pk, p.year, p.name): p for p in planned}
    clash = Project.objects.filter(
        unit_id__in={key[0] for key in wanted},
        year__in={key[1] for key in wanted},
        name__in={key[2] for key in wanted},
    ).values_list("unit_id", "year", "name")
    problems = [
        place_problem(wanted[key].fragment, f"项目「{key[2]}」（{key[1]} 年）刚刚已被创建，请重新上传。")
        for key in clash
        if key in wanted
    ]
    if problems:
        raise ImportRefused(problems)
    projects = create_project_years(
        [(p.unit, p.data) for p in planned],  # type: ignore[misc]
        reason=CREATED_REASON,
    )
    report.created.extend(project.pk for project in projects)
    report.indicators += sum(len(p.data.indicators) for p in planned if p.data is not None)


def _apply_project(planned: PlannedProject, actor: Actor, report: ApplyReport) -> None:
    project = _locked_project(planned, actor)
    status = project.evaluation.status
    if planned.action == "replace":
        if status != Status.DRAFT:
            raise ImportRefused(
                [place_problem(planned.fragment, f"项目「{planned.name}」已不是“目标草稿”状态，不能覆盖。")]
            )
        data = planned.data
        assert data is not None
        replace_project_year(project, data, budget=planned.has_budget)
        # a page open on the draft must not submit over the file's content unseen (see workflow)
        bump_evaluation(Evaluation.objects.get(pk=project.evaluation.pk), "以 Excel 文件覆盖目标草稿")
        report.replaced.append(project.pk)
        report.indicators += len(data.indicators)
        return
    if status not in EDITABLE_STATUSES:
        raise ImportRefused(
            [
                place_problem(
                    planned.fragment,
                    f"项目「{planned.name}」的状态已变为「{project.evaluation.get_status_display()}」，不能再填写完成情况。",
                )
            ]
        )
    _apply_results(project, planned)
    report.results.append(project.pk)
    report.indicators += len(planned.indicators)


_RESULT_INDICATOR_FIELDS = ("actual_text", "weight", "reported_score", "band", "band_score", "deviation_note")


def _apply_results(project: Project, planned: PlannedProject) -> None:
    """Write a results file's values onto a project-year (its evaluation locked by `_locked_project`)."""
    current = {ind.pk: ind for ind in Indicator.objects.select_for_update().filter(project=project)}
    touched = False  # anything of the project-year's content changed
    for item in planned.indicators:
        indicator = current.get(item.match.pk)  # type: ignore[union-attr]
        if indicator is None:
            raise ImportRefused([item.row.problem(f"指标「{item.data.name}」已被删除，请重新上传。", "name")])
        changed = []
        for name in _RESULT_INDICATOR_FIELDS:
            value = getattr(item.data, name)
            if getattr(indicator, name) != value:
                setattr(indicator, name, value)
                changed.append(name)
        if changed:
            indicator.version += 1
            indicator.save(update_fields=[*changed, "version"])
            touched = True
    updates = planned.project_updates
    if "goal_result_text" in updates and project.goal_result_text != updates["goal_result_text"]:
        project.goal_result_text = updates["goal_result_text"]
        project.save(update_fields=["goal_result_text", "updated_at"])
        touched = True
    for code, (source, part) in BUDGET_FIELDS.items():
        if code in updates:
            line, _ = BudgetLine.objects.get_or_create(project=project, source=source)
            if getattr(line, part) != updates[code]:
                setattr(line, part, updates[code])
                line.save()
                touched = True
    evaluation = project.evaluation
    changed = []
    for code, name in EVALUATION_FILE_FIELDS.items():
        if code in updates and getattr(evaluation, name) != updates[code]:
            setattr(evaluation, name, updates[code])
            changed.append(name)
    if touched or changed:
        # as every other change of the content: a page open on this project-year is now stale, and its
        # submit is refused with who imported what (workflow.bump_evaluation), before recompute copies it
        bump_evaluation(evaluation, "导入完成情况（Excel 文件）", changed)
    perf_services.recompute(project)


def import_workbook(
    source: str | Path | IO[bytes],
    *,
    actor: Actor,
    kind: str = ImportKind.GOALS,
    year: int | None = None,
    dry_run: bool = False,
    source_name: str = "",
) -> tuple[Plan, ApplyReport | None]:
    """Plan and (unless ``dry_run`` or the plan has errors) apply in one call. Like :func:`apply_plan`
    it queues no library rebuild."""
    plan = plan_import(source, actor=actor, kind=kind, year=year, source_name=source_name)
    if dry_run or not plan.ok:
        return plan, None
    return plan, apply_plan(plan, actor=actor)
