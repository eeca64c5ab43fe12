"""The named changes of 公开. Each runs in one transaction, checks that the user may publish the
department (its supervisor, the region's finance reviewers, admins — through ``projects.scoping``;
units never), compares what the page showed with what would be published now, and writes the
publication's history with a reason. 决算公开 and its withdrawal move the evaluations through the
workflow's one table of moves (``workflow.review``: PUBLISH, UNPUBLISH)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from projects.models import Department
from projects.scoping import whole_departments

from ..choices import Status
from ..models import Evaluation, ReviewActionKind
from ..workflow.errors import InvalidData, NotPermitted, VersionConflict, WorkflowError
from ..workflow.review import TRANSITIONS, move
from ..workflow.text import normalise_text
from ..workflow.versions import acting_as, user_name
from .contents import frozen, preview
from .models import Kind, Publication

REASON_MAX_CHARS = 500


def publishing_departments(user):
    """The departments whose department-years the user publishes: the ones the user sees in full."""
    return whole_departments(user)


def may_publish(user, department: Department) -> bool:
    return publishing_departments(user).filter(pk=department.pk).exists()


def _check_scope(user, department: Department) -> None:
    if not may_publish(user, department):
        raise NotPermitted("只有本部门的主管部门审核人或本地区财政部门可以公开或撤回公开。")


def clean_year(year) -> int:
    text = str(year if year is not None else "").strip()
    if not text.isascii() or not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise InvalidData({"year": ["年度须为 2000 到 2100 之间的四位数字。"]})
    return int(text)


def in_force(department: Department, year: int, kind: str) -> Publication | None:
    return Publication.objects.filter(
        department=department, year=year, kind=kind, withdrawn_at__isnull=True
    ).first()


@transaction.atomic
def _publish(kind: str, department: Department, year, user, expected: str | None) -> Publication:
    year = clean_year(year)
    _check_scope(user, department)
    # one publisher of a department at a time: the department row is the lock
    department = (
        Department.objects.select_for_update(of=("self",)).select_related("region").get(pk=department.pk)
    )
    current = in_force(department, year, kind)
    if current is not None:
        raise WorkflowError(
            f"{department.name} {year} 年度的{Kind(kind).label}已由 {user_name(current.published_by)} 于 "
            f"{timezone.localtime(current.published_at):%Y-%m-%d %H:%M} 公开；如需更新，请先撤回再重新公开。"
        )
    # the evaluations of the department-year, locked in one order before anything is read for publishing
    list(
        Evaluation.objects.select_for_update(of=("self",))
        .filter(project__department=department, project__year=year)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    plan = preview(department, year, kind)
    if expected is not None and expected != plan.token:
        raise VersionConflict(
            "公开范围在您打开页面后已有变化（有项目批复、审核或修改），本次未公开。页面已显示最新的公开范围，请核对后再公开。"
        )
    if not plan.included:
        what = "绩效目标已批复" if kind == Kind.GOALS else "自评已审核通过"
        raise WorkflowError(f"{department.name} {year} 年度没有{what}的项目，不能公开。")
    with acting_as(user):
        publication = Publication(
            department=department,
            year=year,
            kind=kind,
            published_by=user,
            published_at=timezone.now(),
            contents={
                "region": department.region.name,
                "department": department.name,
                **frozen(plan.included, kind),
            },
            excluded=plan.excluded,
        )
        publication._change_reason = f"{Kind(kind).label}：{len(plan.included)} 个项目"[:100]
        publication.save()
        if kind == Kind.RESULTS:
            transition = TRANSITIONS[ReviewActionKind.PUBLISH]
            for project in plan.included:
                evaluation = project.evaluation
                if evaluation.status in transition.from_statuses:
                    move(evaluation, user, ReviewActionKind.PUBLISH)
    return publication


def publish_goals(department: Department, year, user, expected: str | None = None) -> Publication:
    """预算公开: the goal tables of the department-year's projects whose targets are approved, frozen as
    published; the others are listed as excluded with the reason. ``expected``: the page's
    :attr:`contents.Preview.token` (None: no page, no check)."""
    return _publish(Kind.GOALS, department, year, user, expected)


def publish_results(department: Department, year, user, expected: str | None = None) -> Publication:
    """决算公开: the approved self-evaluations of the department-year (total score, grade, execution
    rate), frozen as published; those evaluations move to 已公开 (the workflow's PUBLISH move)."""
    return _publish(Kind.RESULTS, department, year, user, expected)


@transaction.atomic
def withdraw(publication: Publication, user, reason: str) -> Publication:
    """撤回: the publication is no longer shown; the reason is required and kept. A withdrawn 决算公开
    moves its evaluations still 已公开 back to 自评已审核 (the workflow's UNPUBLISH move)."""
    reason = normalise_text(reason or "")
    if not reason:
        raise InvalidData({"reason": ["撤回公开必须填写理由。"]})
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidData({"reason": [f"撤回理由不能超过 {REASON_MAX_CHARS} 字。"]})
    _check_scope(user, publication.department)
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.withdrawn_at is not None:
        raise WorkflowError(
            f"该公开已于 {timezone.localtime(locked.withdrawn_at):%Y-%m-%d %H:%M} "
            f"由 {user_name(locked.withdrawn_by)} 撤回。"
        )
    with acting_as(user):
        if locked.kind == Kind.RESULTS:
            evaluations = (
                Evaluation.objects.select_for_update()
                .filter(project_id__in=locked.project_ids, status=Status.PUBLISHED)
                .order_by("pk")
            )
            for evaluation in evaluations:
                move(evaluation, user, ReviewActionKind.UNPUBLISH, reason)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.withdraw_reason = reason
        locked._change_reason = f"撤回公开：{reason}"[:100]
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    return locked
