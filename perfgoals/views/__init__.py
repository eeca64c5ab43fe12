"""Pages of entry and review: the project page laid out like the official 自评表, the inline saves,
submission, the target stage, the review queue and the review pages.

Views configure: they fetch the project through `projects.scoping.visible_projects` (another unit's
or department's project is a 404), hand what the user sent to a named action of `perfgoals.workflow`
(which checks the right to act, the status and the version) through :func:`.actions.perform`, and
render what the presenters of :mod:`perfgoals.pages` arrange.

By stage: :mod:`.project` (the project page), :mod:`.entry` (results), :mod:`.targets` (the target
tree), :mod:`.review` (the review pages), :mod:`.queue` (待审核), :mod:`.directions` (a guessed
direction confirmed by the unit, corrected by the supervisor).
"""

from .directions import confirm_direction, confirm_directions, correct_direction
from .entry import save_budget, save_explanations, save_indicator, save_sheet, submit
from .project import project_page
from .queue import FinanceQueueView, ReviewQueueView, TargetsAndSelfEvaluationQueueTable, approve_many
from .review import finance_action, review_action, review_page, target_review_action
from .targets import (
    add_target,
    delete_target,
    move_target,
    save_project_info,
    save_weights,
    submit_targets,
    update_target,
)

__all__ = [
    "FinanceQueueView",
    "finance_action",
    "ReviewQueueView",
    "approve_many",
    "TargetsAndSelfEvaluationQueueTable",
    "add_target",
    "confirm_direction",
    "confirm_directions",
    "correct_direction",
    "delete_target",
    "move_target",
    "project_page",
    "review_action",
    "review_page",
    "save_budget",
    "save_explanations",
    "save_indicator",
    "save_sheet",
    "save_project_info",
    "save_weights",
    "submit",
    "submit_targets",
    "target_review_action",
    "update_target",
]
