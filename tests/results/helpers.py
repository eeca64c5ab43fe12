"""Setting a project-year's final grade for the tests: an approved self-evaluation's grade directly (test
setup, not a workflow step), or a finished 复核 with a grade."""

from __future__ import annotations

from perfgoals.choices import Status
from perfgoals.models import Evaluation
from perfgoals.recheck import actions as recheck_actions
from perfgoals.recheck.models import ItemStatus, RecheckItem


def set_self_grade(project, grade: str, status: str = Status.APPROVED) -> None:
    Evaluation.objects.filter(project=project).update(grade=grade, status=status)


def finished_recheck(finance, project, grade: str) -> RecheckItem:
    """A 复核 of ``project`` marked done with ``grade`` (the re-scoring itself is tested in tests/recheck)."""
    sample = recheck_actions.draw_sample(finance, project.year, {"random": 50}, seed=1)
    item = sample.items.get(evaluation__project=project)
    RecheckItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.DONE, recheck_total=50, recheck_grade=grade, findings="测试"
    )
    return item
