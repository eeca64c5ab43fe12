"""One way for every action view: check the form, run the workflow's action, answer.

A view only configures: the form (or none), the action (called once the form is valid) and an answer —
how its page responds to a success (:class:`Done`: the message, its level, where to go back to) and to a
:class:`Refusal`. :func:`perform` turns the workflow's exceptions into refusals: ``InvalidData`` puts its
messages next to the form's fields (422), ``Incomplete`` lists what a submission lacks (422),
``VersionConflict`` (409) and any other ``WorkflowError`` (409: the status changed under the page) carry
the workflow's message. ``NotPermitted`` is not caught: Django answers 403.

The answers: :class:`PageAnswer` for a plain form post (a flash message and a redirect, or the page
again with the form and the error); the entry page's inline row (``views.entry.RowAnswer``) and the
target stage's tree (``views.targets.TreeAnswer``) answer htmx in their modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from .. import workflow

#: a submission from a page that sent no version (forged, or rendered before submissions carried one)
NO_VERSION = "页面缺少版本信息，{}没有提交。页面已显示最新数据，请核对后再提交。"

#: the kinds of refusal: the data sent (the form's or the workflow's rules), a submission that lacks
#: something, someone else's change since the page was loaded, the status (the action is no longer allowed)
INVALID, INCOMPLETE, CONFLICT, REFUSED = "invalid", "incomplete", "conflict", "refused"


@dataclass(frozen=True)
class Refusal:
    """Why an action did not happen; nothing was saved."""

    kind: str
    #: the workflow's Chinese message ("" when the form itself found the data invalid)
    message: str = ""
    #: what a refused submission lacks (``workflow.Problem``), for INCOMPLETE
    problems: tuple = ()

    @property
    def status(self) -> int:
        """422 when the user's data is the matter, 409 when the data or its status changed meanwhile."""
        return 422 if self.kind in (INVALID, INCOMPLETE) else 409


@dataclass(frozen=True)
class Done:
    """What the user is told after a successful action, and where on the page it happened."""

    text: str
    level: str = "success"  # "success" | "info"
    anchor: str = ""


class Answer(Protocol):
    """How a page responds to its actions (see the module docstring)."""

    def done(self, outcome: Any, done: Done) -> HttpResponse: ...

    def refused(self, refusal: Refusal, form) -> HttpResponse: ...


def attempt(form, act: Callable[[], Any]) -> Any:
    """``act()``'s outcome, or the :class:`Refusal` of the form (``None``: no form) or of the action."""
    if form is not None and not form.is_valid():
        return Refusal(INVALID)
    try:
        return act()
    except workflow.InvalidData as exc:
        if form is None:  # nowhere to show the messages: the action is refused as a whole
            return Refusal(REFUSED, exc.message)
        form_errors(form, exc)
        return Refusal(INVALID, exc.message)
    except workflow.Incomplete as exc:
        return Refusal(INCOMPLETE, exc.message, tuple(exc.problems))
    except workflow.VersionConflict as exc:
        return Refusal(CONFLICT, exc.message)
    except workflow.WorkflowError as exc:
        return Refusal(REFUSED, exc.message)


def perform(form, act: Callable[[], Any], answer: Answer, done: Callable[[Any], Done]) -> HttpResponse:
    """Run an action for a view: ``done(outcome)`` says what a success tells the user; ``answer``
    responds (see the module docstring)."""
    outcome = attempt(form, act)
    if isinstance(outcome, Refusal):
        return answer.refused(outcome, form)
    return answer.done(outcome, done(outcome))


def flash(request, done: Done) -> None:
    """The message of a success, shown on the page the redirect leads to."""
    messages.add_message(request, messages.SUCCESS if done.level == "success" else messages.INFO, done.text)


@dataclass
class PageAnswer:
    """The answer to a plain form post. Done: a flash message and a redirect to ``url`` (and the anchor).
    Refused: ``render(status, **context)`` — the page again, read anew — with the form back in its place
    (``form_key``, its errors next to the fields) and ``invalid`` as the page's error, the missing items
    of a submission, or the workflow's message; a refusal of the status may show another page
    (``refused_render``)."""

    request: Any
    render: Callable[..., HttpResponse]
    url: str
    form_key: str = ""
    invalid: str = ""
    invalid_status: int = 422
    refused_render: Callable[..., HttpResponse] | None = None

    def done(self, outcome, done: Done) -> HttpResponse:
        flash(self.request, done)
        return redirect(self.url + (f"#{done.anchor}" if done.anchor else ""))

    def refused(self, refusal: Refusal, form) -> HttpResponse:
        if refusal.kind == INVALID:
            kept = {self.form_key: form} if self.form_key else {}
            return self.render(self.invalid_status, **kept, page_error=self.invalid)
        if refusal.kind == INCOMPLETE:
            return self.render(refusal.status, submit_problems=list(refusal.problems))
        render = self.refused_render if refusal.kind == REFUSED and self.refused_render else self.render
        return render(refusal.status, page_error=refusal.message)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def sent_page_version(request) -> int | None:
    """The evaluation version the page posting was rendered with (its ``page-version`` inputs)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def form_errors(form, exc: workflow.InvalidData) -> None:
    """The workflow's messages next to the form's fields (a name it does not have: above the form)."""
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
