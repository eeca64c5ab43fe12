"""Why an action of the workflow refused: the exceptions the views turn into answers.

Every refusal but :class:`NotPermitted` is a :class:`WorkflowError` with a Chinese ``message`` the user
can act on; when an action raises one it has saved nothing (its transaction is rolled back).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


class WorkflowError(Exception):
    """An action refused for a reason the user can act on; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(PermissionDenied):
    """The user may see the project but not do this (views answer 403 without details)."""


class InvalidData(WorkflowError):
    """Values the rules refuse; ``errors`` maps a form field name to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("；".join(msg for msgs in errors.values() for msg in msgs))
        self.errors = errors


class VersionConflict(WorkflowError):
    """Someone saved the same data since the user loaded it; nothing of the user's was saved."""

    def __init__(self, message: str, *, changed_by: str = "", changed_at=None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class SheetRefused(WorkflowError):
    """A save of the whole sheet refused: nothing saved. ``errors`` maps an indicator's pk to its field
    errors (as :class:`InvalidData`), ``conflicts`` an indicator's pk to the message of a version conflict
    (someone else saved that row since the page was loaded)."""

    def __init__(self, errors: dict[int, dict[str, list[str]]], conflicts: dict[int, str]):
        count = len(set(errors) | set(conflicts))
        super().__init__(
            f"有 {count} 行未能保存，本次全部保存未执行（任何一行都没有保存），请按各行提示处理。"
        )
        self.errors = errors
        self.conflicts = conflicts


@dataclass(frozen=True)
class Problem:
    """One thing missing before submission: where it is on the page (``anchor``) and what."""

    anchor: str
    text: str


class Incomplete(WorkflowError):
    """Submission refused: every missing item at once, nothing submitted."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"尚有 {len(problems)} 项未完成，自评未提交")
        self.problems = problems


class TargetsIncomplete(Incomplete):
    """Target submission refused: every missing item at once, nothing submitted."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.message = f"尚有 {len(problems)} 项未完成，绩效目标未提交"
        self.args = (self.message,)
