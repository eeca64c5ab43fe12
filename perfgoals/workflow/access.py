"""Who may do what on a project-year, and in which status.

The right to act comes from :mod:`projects.scoping` (never from looking at roles here): a unit user of
the project's unit enters, a supervisor of its department (or an admin) reviews. The status decides the
rest: results are entered while the evaluation is editable (``EDITABLE_STATUSES``), the tree of targets
only while it is a draft. The ``require_*`` checks raise what the views answer (403 for
:class:`NotPermitted`, the Chinese message of a :class:`WorkflowError`).
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import Project
from projects.scoping import (
    enterable_projects,
    finance_reviewable_projects,
    reviewable_projects,
    whole_departments,
)

from ..choices import EDITABLE_STATUSES, FINANCE_STATUSES, LOCKED_STATUSES, Status
from ..models import Evaluation, FinanceReview
from .errors import NotPermitted, WorkflowError


def _in_scope(scope, user, project: Project) -> bool:
    """The project is in the user's scope (a ``projects.scoping`` queryset function): one query."""
    return scope(user, Project.objects.filter(pk=project.pk)).exists()


def may_enter(user, project: Project) -> bool:
    """The user is a unit user of the project's unit (whatever the status)."""
    return _in_scope(enterable_projects, user, project)


def may_review(user, project: Project) -> bool:
    """The user is a supervisor of the project's department, or an admin."""
    return _in_scope(reviewable_projects, user, project)


def may_finance_review(user, project: Project) -> bool:
    """The user is a finance reviewer of the project's region (or an admin): the last level of the
    review where the region has one (:class:`~perfgoals.models.FinanceReview`)."""
    return _in_scope(finance_reviewable_projects, user, project)


#: the two stages a region's finance bureau may review last (the fields of FinanceReview)
TARGETS, EVALUATIONS = "targets", "evaluations"


def finance_reviews(project: Project, stage: str) -> bool:
    """The project's region has its finance bureau as the last level of ``stage`` (one query)."""
    return FinanceReview.objects.filter(region_id=project.region_id, **{stage: True}).exists()


def may_publish(user, project: Project) -> bool:
    """The user publishes the project's department-year (公开): a supervisor of its department, a finance
    reviewer of its region, or an admin — the departments the user sees in full. Units never."""
    return whole_departments(user).filter(pk=project.department_id).exists()


def plan_locked(evaluation: Evaluation) -> bool:
    """Weights and planned budget are fixed once an approved evaluation has been reopened."""
    return evaluation.reopened_at is not None


def targets_fixed(evaluation: Evaluation) -> bool:
    """The targets were approved through the workflow, which submits only a tree with every weight set:
    the weights are part of what was approved and stay as approved. (A goal table loaded as approved,
    as the seeds publish them, carries no weights: the unit sets them when it evaluates.)"""
    return evaluation.targets_approved_at is not None


@dataclass(frozen=True)
class Capabilities:
    """What the current user may do on one project page (computed once per request)."""

    is_unit_user: bool
    is_reviewer: bool
    can_enter: bool
    can_edit_plan: bool
    can_review: bool
    can_reopen: bool
    #: the unit may still confirm or change a guessed direction (see :mod:`.directions`)
    can_choose_direction: bool = False
    #: the supervisor may correct a direction (targets or results under review)
    can_correct_direction: bool = False
    #: a finance reviewer of the project's region, asked only where it matters (see :func:`capabilities`)
    is_finance: bool = False
    #: the region's finance reviews self-evaluations last: its finance may reopen them too
    finance_last: bool = False
    #: finance may accept or return (the project-year awaits finance: targets or self-evaluation)
    can_finance_review: bool = False

    @property
    def read_only(self) -> bool:
        return not self.can_enter

    def at(self, evaluation: Evaluation) -> Capabilities:
        """The same user's capabilities once the evaluation has changed (its status, its plan lock):
        the rights on the project stay, so no query."""
        return _capabilities(
            self.is_unit_user, self.is_reviewer, evaluation, self.is_finance, self.finance_last
        )


def capabilities(user, project: Project, evaluation: Evaluation) -> Capabilities:
    """What the user may do on the project-year (its two scope checks query; see :meth:`Capabilities.at`).
    Whether the user is the region's finance is asked only while the project-year awaits finance, or is
    locked and the user neither enters nor reviews it (finance may reopen where it reviews last)."""
    unit_user, reviewer = may_enter(user, project), may_review(user, project)
    finance = finance_last = False
    status = evaluation.status
    if status in FINANCE_STATUSES or (status in LOCKED_STATUSES and not (unit_user or reviewer)):
        finance = may_finance_review(user, project)
        finance_last = finance and status in LOCKED_STATUSES and finance_reviews(project, EVALUATIONS)
    return _capabilities(unit_user, reviewer, evaluation, finance, finance_last)


def _capabilities(
    unit_user: bool, reviewer: bool, evaluation: Evaluation, finance: bool = False, finance_last: bool = False
) -> Capabilities:
    can_enter = unit_user and evaluation.status in EDITABLE_STATUSES
    return Capabilities(
        is_unit_user=unit_user,
        is_reviewer=reviewer,
        can_enter=can_enter,
        can_edit_plan=can_enter and not plan_locked(evaluation),
        can_review=reviewer and evaluation.status == Status.SUBMITTED,
        can_reopen=(reviewer or finance_last) and evaluation.status in LOCKED_STATUSES,
        can_choose_direction=unit_user and unit_may_choose_direction(evaluation),
        can_correct_direction=reviewer and evaluation.status in DIRECTION_REVIEW_STATUSES,
        is_finance=finance,
        finance_last=finance_last,
        can_finance_review=finance and evaluation.status in FINANCE_STATUSES,
    )


#: the statuses in which a supervisor corrects a direction: while deciding on targets or on results
DIRECTION_REVIEW_STATUSES = frozenset({Status.TARGETS_SUBMITTED, Status.SUBMITTED})


def unit_may_choose_direction(evaluation: Evaluation) -> bool:
    """The unit may still set directions: a draft, or results on targets never approved in this system
    (approved here, the directions are part of the approved targets)."""
    if evaluation.status == Status.DRAFT:
        return True
    return evaluation.status in EDITABLE_STATUSES and not targets_fixed(evaluation)


@dataclass(frozen=True)
class TargetCapabilities:
    """What the current user may do with the targets of one project-year."""

    can_edit: bool
    can_review: bool


def target_capabilities(
    user, project: Project, evaluation: Evaluation, caps: Capabilities | None = None
) -> TargetCapabilities:
    """What the user may do with the targets (``caps``: the page's capabilities, to spare the queries)."""
    unit_user = caps.is_unit_user if caps else may_enter(user, project)
    reviewer = caps.is_reviewer if caps else may_review(user, project)
    return TargetCapabilities(
        can_edit=unit_user and evaluation.status == Status.DRAFT,
        can_review=reviewer and evaluation.status == Status.TARGETS_SUBMITTED,
    )


def fresh_project(project: Project) -> Project:
    """The project as stored, with what the scope checks read (an action never trusts the view's copy)."""
    return Project.objects.select_related("unit__department").get(pk=project.pk)


def require_enter(user, project: Project) -> None:
    """Only a unit user of the project's unit enters and submits."""
    if not may_enter(user, project):
        raise NotPermitted("只有项目实施单位的填报人可以填报。")


def require_review(user, project: Project) -> None:
    """Only a supervisor of the project's department (or an admin) reviews."""
    if not may_review(user, project):
        raise NotPermitted("只有主管部门的审核人可以审核。")


def require_finance_review(user, project: Project) -> None:
    """Only a finance reviewer of the project's region (or an admin) makes finance's review moves."""
    if not may_finance_review(user, project):
        raise NotPermitted("只有本地区财政部门的审核人可以进行财政审核。")


def require_finance_last(user, project: Project) -> None:
    """Finance reopens a self-evaluation only where it reviews self-evaluations last (its region's
    setting): elsewhere the department's approval is final and the department reopens."""
    if not (may_finance_review(user, project) and finance_reviews(project, EVALUATIONS)):
        raise NotPermitted("只有最终审核绩效自评的财政部门可以重新开放；请联系主管部门。")


def require_publish(user, project: Project) -> None:
    """Only the department's supervisor or the region's finance reviewers publish (公开) or withdraw."""
    if not may_publish(user, project):
        raise NotPermitted("只有本部门的主管部门审核人或本地区财政部门可以公开或撤回公开。")


_LOCKED_MESSAGES = {
    Status.DRAFT: "绩效目标尚未批复，还不能填报完成情况：请先提交绩效目标，经主管部门批复后再填报。",
    Status.SUBMITTED: "自评已提交，正在审核，不能修改。如需修改，请联系主管部门退回。",
    Status.APPROVED: "自评已审核通过，数据已锁定。如需修改，请联系主管部门重新开放。",
    Status.PUBLISHED: "自评已公开，数据已锁定。如需修改，请联系主管部门重新开放。",
    Status.TARGETS_SUBMITTED: "绩效目标已提交，正在批复，暂不能填报。",
    Status.TARGETS_FINANCE: "绩效目标已经主管部门批复，正在等待财政部门审核，暂不能填报。",
    Status.FINANCE_PENDING: "自评已经主管部门审核通过，正在等待财政部门审核，不能修改。如需修改，请联系财政部门退回。",
}


def require_editable(evaluation: Evaluation) -> None:
    """Results may change only in an editable status; the message says why not and whom to ask."""
    if evaluation.status not in EDITABLE_STATUSES:
        raise WorkflowError(_LOCKED_MESSAGES.get(evaluation.status, "当前状态不能修改。"))


_TARGET_LOCKED_MESSAGES = {
    Status.DRAFT: "绩效目标尚未批复，还不能填报完成情况：请先提交绩效目标，经主管部门批复后再填报。",
    Status.TARGETS_SUBMITTED: "绩效目标已提交，正在批复，指标体系已锁定。如需修改，请联系主管部门退回。",
    Status.TARGETS_FINANCE: "绩效目标正在等待财政部门审核，指标体系已锁定。如需修改，请联系财政部门退回。",
    Status.TARGETS_APPROVED: "绩效目标已批复，指标体系已锁定。",
}


def require_targets_editable(evaluation: Evaluation) -> None:
    """The tree of targets may change only while it is a draft."""
    if evaluation.status != Status.DRAFT:
        raise WorkflowError(
            _TARGET_LOCKED_MESSAGES.get(evaluation.status, "绩效目标已批复，指标体系已锁定，不能修改。")
        )
