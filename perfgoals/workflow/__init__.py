"""The entry and review workflow of a self-evaluation: every change a person makes goes through here.

Views configure and call these named actions; the actions decide. Each one

* runs in one transaction and locks the evaluation row first (one lock order: no deadlocks, and two
  saves on the same project-year are serialised, so a weight check sees every other weight);
* checks the user's right through :mod:`projects.scoping` (never by looking at roles here);
* refuses stale data by optimistic locking (``Indicator.version`` / ``Evaluation.version``): the
  second of two people saving from the same page gets :class:`VersionConflict` and the first's value
  stays — unless the second sends exactly what is already stored, which is no conflict at all;
* bumps ``Evaluation.version`` on every change to the project-year's content (an indicator's values,
  adding, deleting or moving one, the budget, the explanations, the level-1 weights) through
  :func:`bump_evaluation`, in the same transaction and with a change reason that says what changed.
  ``Evaluation.version`` is thus the version of the whole page: the submissions (``submit_evaluation``,
  ``submit_targets``) and the review steps take the version the page was rendered with and refuse a
  stale one, naming who changed what and when — nobody submits over a change they have not seen;
* records who did it: simple-history's ``history_user`` (also for rows that ``services.recompute``
  rewrites inside the action) and, for the review steps, a :class:`~perfgoals.models.ReviewAction`.

The modules, by job: :mod:`.errors` (what a refusal is), :mod:`.access` (who may do what, in which
status), :mod:`.versions` (optimistic locking, the history's user and reason), :mod:`.entry` (results,
budget, explanations, submission), :mod:`.targets` (the indicator tree of a draft and its submission),
:mod:`.review` (the supervisor's steps), :mod:`.target_checks` (the automatic checks of a set of
targets, pure; :mod:`.last_year` loads last year's values they compare with), :mod:`.directions` (guessed directions confirmed by the unit,
corrected by the supervisor), :mod:`.flags` (what a reviewer should look at). The rest of the
code uses the names below as ``workflow.X``.
"""

from .access import (
    Capabilities,
    TargetCapabilities,
    capabilities,
    may_enter,
    may_finance_review,
    may_review,
    plan_locked,
    target_capabilities,
)
from .directions import (
    confirm_direction,
    confirm_directions,
    correct_direction,
    unconfirmed,
)
from .entry import (
    BUDGET_FIELDS,
    INDICATOR_FIELDS,
    PLAN_BUDGET_FIELDS,
    SCORING_FIELDS,
    TEXT_FIELDS,
    band_range,
    band_scale,
    engine_scheme,
    missing_items,
    needs_band,
    save_budget,
    save_explanations,
    save_indicator_actual,
    save_sheet,
    submit_evaluation,
    validate_indicator,
)
from .errors import (
    Incomplete,
    InvalidData,
    NotPermitted,
    Problem,
    SheetRefused,
    TargetsIncomplete,
    VersionConflict,
    WorkflowError,
)
from .flags import (
    DEFAULT_OVERSHOOT,
    SUMMARY_GROUPS,
    WEIGHT_WARNINGS,
    ReviewFlag,
    evaluation_review_flags,
    indicator_review_flags,
    review_summary,
    target_check_flags,
    target_review_flags,
    target_review_summary,
    target_weight_flags,
)
from .last_year import last_year_values
from .review import (
    FINANCE_STEPS,
    approve_evaluation,
    approve_many,
    finance_review,
    grade_targets,
    reopen_evaluation,
    return_evaluation,
    target_move,
)
from .targets import (
    NATURE_CHOICES,
    QUALITATIVE_NATURE,
    SUGGESTED_SOURCES,
    TARGET_FIELDS,
    TARGET_STAGE,
    add_indicator,
    delete_indicator,
    direction_suggested,
    move_indicator,
    nature_choice,
    project_generation,
    run_target_checks,
    save_level1_weights,
    submit_targets,
    target_problems,
    target_unreadable,
    update_indicator_target,
    update_project_info,
    validate_target,
)
from .versions import SaveOutcome, acting_as, bump_evaluation

__all__ = [
    "FINANCE_STEPS",
    "finance_review",
    "may_finance_review",
    "BUDGET_FIELDS",
    "DEFAULT_OVERSHOOT",
    "INDICATOR_FIELDS",
    "NATURE_CHOICES",
    "PLAN_BUDGET_FIELDS",
    "QUALITATIVE_NATURE",
    "SCORING_FIELDS",
    "SUGGESTED_SOURCES",
    "SUMMARY_GROUPS",
    "TARGET_FIELDS",
    "TARGET_STAGE",
    "TEXT_FIELDS",
    "WEIGHT_WARNINGS",
    "Capabilities",
    "Incomplete",
    "InvalidData",
    "NotPermitted",
    "Problem",
    "SheetRefused",
    "ReviewFlag",
    "SaveOutcome",
    "TargetCapabilities",
    "TargetsIncomplete",
    "VersionConflict",
    "WorkflowError",
    "acting_as",
    "add_indicator",
    "approve_evaluation",
    "approve_many",
    "band_range",
    "band_scale",
    "bump_evaluation",
    "capabilities",
    "confirm_direction",
    "confirm_directions",
    "correct_direction",
    "delete_indicator",
    "direction_suggested",
    "engine_scheme",
    "grade_targets",
    "evaluation_review_flags",
    "indicator_review_flags",
    "may_enter",
    "may_review",
    "missing_items",
    "move_indicator",
    "nature_choice",
    "needs_band",
    "plan_locked",
    "project_generation",
    "run_target_checks",
    "last_year_values",
    "reopen_evaluation",
    "return_evaluation",
    "review_summary",
    "save_budget",
    "save_explanations",
    "save_indicator_actual",
    "save_sheet",
    "save_level1_weights",
    "submit_evaluation",
    "submit_targets",
    "target_capabilities",
    "target_move",
    "target_problems",
    "target_review_flags",
    "target_check_flags",
    "target_review_summary",
    "target_unreadable",
    "target_weight_flags",
    "unconfirmed",
    "update_indicator_target",
    "update_project_info",
    "validate_indicator",
    "validate_target",
]
