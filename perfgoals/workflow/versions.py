"""Optimistic locking and who did it: the versions every action checks and moves on.

``Indicator.version`` guards one row; ``Evaluation.version`` is the version of the whole page (the
project-year): every change to its content moves it on through :func:`bump_evaluation`, with a change
reason that says what changed, so a submission or a review step from a page that missed a change is
refused naming who changed what and when (:func:`check_evaluation_version`). Every action locks the
evaluation row first (:func:`lock_evaluation`: one lock order, no deadlocks) and writes its history as
the acting user (:func:`acting_as`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.models import Project

from ..engine import EvaluationResult
from ..models import Evaluation, Indicator
from .errors import VersionConflict


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Attribute every history row written inside the block to ``user``.

    In a request the middleware already does this; tasks and tests call the actions without one, and
    ``services.recompute`` saves rows it does not know the user of.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if previous is not None and getattr(previous, "user", None) == user:
        yield
        return
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def user_name(user) -> str:
    """How the history and the messages name a user (no user: the system, e.g. a bulk rescoring)."""
    if user is None:
        return "（系统）"
    return user.first_name or user.username


def last_change(history_qs) -> tuple[str, object]:
    """Who made the latest row of ``history_qs``, and when ("" and None without one)."""
    record = history_qs.select_related("history_user").order_by("-history_date", "-history_id").first()
    if record is None:
        return "", None
    return user_name(record.history_user), record.history_date


def conflict_message(
    what: str,
    by: str,
    when,
    *,
    change: str = "",
    outcome: str = "您这次的修改没有保存",
    advice: str = "页面已显示最新数据，请核对后如需修改再重新保存。",
) -> str:
    """The Chinese message of a refused stale save: what changed, by whom and when, and what the
    user should do now."""
    at = timezone.localtime(when).strftime("%m-%d %H:%M") if when else ""
    who = f"已被 {by} 于 {at} 修改" if by else "已被他人修改"
    detail = f"（{change}）" if change else ""
    return f"{what}{who}{detail}，{outcome}。{advice}"


def version_change(evaluation: Evaluation, seen: int | None = None) -> tuple[str, object, str]:
    """Who changed the project-year since version ``seen``, when, and what (the change reason
    :func:`bump_evaluation` or a status change wrote): the first change the page at ``seen`` missed,
    with how many more followed. Without a plausible ``seen``, the change that made the current version."""
    missed = 0
    if seen is None or not 0 < seen < evaluation.version:
        seen = evaluation.version - 1
    else:
        missed = evaluation.version - seen - 1
    record = (
        evaluation.history.filter(version__gt=seen)
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .first()
    )
    if record is None:
        by, at = last_change(evaluation.history)
        return by, at, ""
    change = record.history_change_reason or ""
    if change and missed:
        change += f"；此后另有 {missed} 处修改"
    return user_name(record.history_user), record.history_date, change


def check_evaluation_version(
    evaluation: Evaluation, expected_version: int | None, what: str, **wording
) -> None:
    """Refuse a page rendered at another version of the project-year (``None``: no page, no check); the
    message names who changed what last, and when. ``wording``: ``outcome`` / ``advice`` of the message."""
    if expected_version is not None and evaluation.version != expected_version:
        by, at, change = version_change(evaluation, expected_version)
        raise VersionConflict(
            conflict_message(what, by, at, change=change, **wording), changed_by=by, changed_at=at
        )


def lock_evaluation(project: Project) -> Evaluation:
    """The project-year's evaluation, locked for the rest of the transaction: every action takes
    this lock first (one lock order), so concurrent actions on a project-year run one after another."""
    # lock the evaluation row only: the scheme row is shared by every project of a region
    return (
        Evaluation.objects.select_related("scheme").select_for_update(of=("self",)).get(project_id=project.pk)
    )


def bump_evaluation(evaluation: Evaluation, reason: str, fields: Iterable[str] = ()) -> None:
    """A change to the project-year's content: move ``Evaluation.version`` on (with ``fields`` of the
    evaluation itself changed in the same save), recording ``reason`` (what changed) in its history.

    Call it on the evaluation locked by :func:`lock_evaluation` and before ``services.recompute``: the
    history row copies every field of this instance, which must not be older than the stored row. Public
    for the other writers of a project-year's content (the Excel import), which should call it too.
    """
    evaluation.version += 1
    evaluation._change_reason = reason[:100]
    evaluation.save(update_fields=["version", "updated_at", *fields])


@dataclass
class SaveOutcome:
    """What a save did: the stored row(s), the changed field names, the new evaluation result, and the
    evaluation's version before and after it (a page that had seen the first may carry on with the second;
    one that had not has missed someone else's change)."""

    changed: list[str] = field(default_factory=list)
    result: EvaluationResult | None = None
    indicator: Indicator | None = None
    evaluation_version_before: int | None = None
    evaluation_version: int | None = None
    #: the evaluation as the save left it, rescored (``save_indicator_actual``, for the row it answers)
    evaluation: Evaluation | None = None

    def page_version(self, seen: int | None) -> int | None:
        """The evaluation version a page rendered at ``seen`` is at after this save: the new version
        when nobody else changed the project-year since, else still ``seen`` (its submit stays stale)."""
        if (
            seen is not None
            and seen == self.evaluation_version_before
            and self.evaluation_version is not None
        ):
            return self.evaluation_version
        return seen
