"""The permission matrix: every URL against every kind of user, on one project-year.

The project is seed 001 附件1 (烟台市医疗保障局, department 烟台市医疗保障局, region 烟台市). Each cell
states the status code, and whether the project-year changed. Where nothing should change, the
snapshot of everything an action could write (values, versions, statuses, review log, history) must be
identical before and after; where the action is allowed, it must differ.

Roles: anonymous; the unit user of the project; a unit user of another unit *of the same department*;
the department's supervisor; another department's supervisor; the region's finance reviewer; another
region's finance reviewer; the administrator.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.models import FinanceReview, Indicator

from .conftest import indicator, row_data, set_status, snapshot

pytestmark = pytest.mark.django_db

ROLE_KEYS = [
    "anonymous",
    "unit_own",
    "unit_other",
    "supervisor_own",
    "supervisor_other",
    "finance",
    "finance_other",
    "admin",
]

LOGIN = "login"  # a redirect to the login page
CHANGED, SAME = True, False


def _entry_state(project):
    set_status(project, Status.ENTERING)
    # the seed's guessed directions stand as confirmed: a submission needs them confirmed (#12)
    for ind in project.indicators.all():
        if ind.direction_guessed:
            Indicator.objects.filter(pk=ind.pk).update(direction_override=ind.direction)


def _guessed_state(project):
    """In entry, the seed's guessed directions not yet confirmed."""
    set_status(project, Status.ENTERING)


def _direction_post(name):
    """(url, data) of a direction action on 居民参保率 (its bare "92%" is read ≥ by default: a guess)."""

    def build(project):
        rate = indicator(project, "居民参保率")
        if name == "correct_direction":
            prefix = f"dir{rate.pk}"
            data = {
                f"{prefix}-version": project.evaluation.version,
                f"{prefix}-direction": "le",
                f"{prefix}-reason": "参保率越高越好，但按审计意见核对",
            }
        else:
            data = {"version": rate.version, "direction": "ge"}
        return reverse(f"perfgoals:{name}", args=[project.pk, rate.pk]), data

    return build


def _submitted_state(project):
    set_status(project, Status.SUBMITTED)


def _approved_state(project):
    set_status(project, Status.APPROVED)


def _awaiting_finance(status):
    """The region's finance reviews both stages last, and the project-year awaits it in ``status``."""

    def prepare(project):
        FinanceReview.objects.update_or_create(
            region=project.region, defaults={"evaluations": True, "targets": True}
        )
        set_status(project, status)

    return prepare


def _indicator_post(project):
    rate = indicator(project, "居民参保率")
    return reverse("perfgoals:save_indicator", args=[project.pk, rate.pk]), row_data(rate, actual_text="91%")


def _draft_state(project):
    set_status(project, Status.DRAFT)


def _targets_submitted_state(project):
    set_status(project, Status.TARGETS_SUBMITTED)


def _target_post(name, **values):
    """(url, data) of an action on the indicator 居民参保率 of the target tree."""

    def build(project):
        rate = indicator(project, "居民参保率")
        data = {f"t{rate.pk}-version": rate.version, **{f"t{rate.pk}-{k}": v for k, v in values.items()}}
        if name == "delete_target":
            data = {"version": rate.version}
        elif name == "move_target":
            data = {"direction": "down"}
        return reverse(f"perfgoals:{name}", args=[project.pk, rate.pk]), data

    return build


#: the unit's rights on a draft's tree: everyone else is refused, another scope does not see it
_UNIT_ONLY = {
    "anonymous": (LOGIN, SAME),
    "unit_own": (200, CHANGED),
    "unit_other": (404, SAME),
    "supervisor_own": (403, SAME),
    "supervisor_other": (404, SAME),
    "finance": (403, SAME),
    "finance_other": (404, SAME),
    "admin": (403, SAME),
}
_UNIT_ONLY_REDIRECT = {**_UNIT_ONLY, "unit_own": (302, CHANGED)}
_SUPERVISOR_DECIDES = {
    "anonymous": (LOGIN, SAME),
    "unit_own": (403, SAME),
    "unit_other": (404, SAME),
    "supervisor_own": (302, CHANGED),
    "supervisor_other": (404, SAME),
    "finance": (403, SAME),
    "finance_other": (404, SAME),
    "admin": (302, CHANGED),
}
_FINANCE_DECIDES = {
    "anonymous": (LOGIN, SAME),
    "unit_own": (403, SAME),
    "unit_other": (404, SAME),
    "supervisor_own": (403, SAME),
    "supervisor_other": (404, SAME),
    "finance": (302, CHANGED),
    "finance_other": (404, SAME),
    "admin": (302, CHANGED),
}
_READERS = {
    "anonymous": (LOGIN, SAME),
    "unit_own": (200, SAME),
    "unit_other": (404, SAME),
    "supervisor_own": (200, SAME),
    "supervisor_other": (404, SAME),
    "finance": (200, SAME),
    "finance_other": (404, SAME),
    "admin": (200, SAME),
}


# name → (method, url or url builder, state setter, data builder, {role: (status, changed)})
CASES = {
    "home": (
        "get",
        lambda p: reverse("home"),
        None,
        None,
        {"anonymous": (302, SAME), **{r: (302, SAME) for r in ROLE_KEYS[1:]}},
    ),
    "login": (
        "get",
        lambda p: reverse("login"),
        None,
        None,
        {"anonymous": (200, SAME), **{r: (302, SAME) for r in ROLE_KEYS[1:]}},
    ),
    "project_list": (
        "get",
        lambda p: reverse("project_list") + "?year=all",
        None,
        None,
        {"anonymous": (LOGIN, SAME), **{r: (200, SAME) for r in ROLE_KEYS[1:]}},
    ),
    "project_list_csv": (
        "get",
        lambda p: reverse("project_list") + "?year=all&_export=csv",
        None,
        None,
        {"anonymous": (LOGIN, SAME), **{r: (200, SAME) for r in ROLE_KEYS[1:]}},
    ),
    "project_list_xlsx": (
        "get",
        lambda p: reverse("project_list") + "?year=all&_export=xlsx",
        None,
        None,
        {"anonymous": (LOGIN, SAME), **{r: (200, SAME) for r in ROLE_KEYS[1:]}},
    ),
    "project_page": (
        "get",
        lambda p: reverse("perfgoals:project", args=[p.pk]),
        None,
        None,
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (200, SAME),
            "unit_other": (404, SAME),
            "supervisor_own": (200, SAME),
            "supervisor_other": (404, SAME),
            "finance": (200, SAME),
            "finance_other": (404, SAME),
            "admin": (200, SAME),
        },
    ),
    "save_indicator": (
        "post",
        None,
        _entry_state,
        _indicator_post,
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (302, CHANGED),
            "unit_other": (404, SAME),
            "supervisor_own": (403, SAME),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (403, SAME),
        },
    ),
    "save_sheet": (
        "post",
        lambda p: reverse("perfgoals:save_sheet", args=[p.pk]),
        _entry_state,
        lambda p: row_data(indicator(p, "居民参保率"), actual_text="91%"),
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (302, CHANGED),
            "unit_other": (404, SAME),
            "supervisor_own": (403, SAME),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (403, SAME),
        },
    ),
    "save_budget": (
        "post",
        lambda p: reverse("perfgoals:save_budget", args=[p.pk]),
        _entry_state,
        lambda p: {"version": p.evaluation.version, "current_year-executed": "5500"},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (302, CHANGED),
            "unit_other": (404, SAME),
            "supervisor_own": (403, SAME),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (403, SAME),
        },
    ),
    "save_explanations": (
        "post",
        lambda p: reverse("perfgoals:save_explanations", args=[p.pk]),
        _entry_state,
        lambda p: {"version": p.evaluation.version, "goal_result_text": "全年目标均已完成。"},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (302, CHANGED),
            "unit_other": (404, SAME),
            "supervisor_own": (403, SAME),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (403, SAME),
        },
    ),
    "submit": (
        "post",
        lambda p: reverse("perfgoals:submit", args=[p.pk]),
        _entry_state,
        lambda p: {"version": p.evaluation.version},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (302, CHANGED),
            "unit_other": (404, SAME),
            "supervisor_own": (403, SAME),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (403, SAME),
        },
    ),
    "finance_queue": (
        "get",
        lambda p: reverse("perfgoals:finance_queue"),
        _awaiting_finance(Status.FINANCE_PENDING),
        None,
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (403, SAME),
            "unit_other": (403, SAME),
            "supervisor_own": (403, SAME),
            "supervisor_other": (403, SAME),
            "finance": (200, SAME),
            "finance_other": (200, SAME),
            "admin": (200, SAME),
        },
    ),
    **{
        f"finance_{step}{suffix}": (
            "post",
            lambda p, step=step: reverse("perfgoals:finance_review", args=[p.pk, step]),
            _awaiting_finance(status),
            lambda p: {"version": p.evaluation.version, "comment": "请核实"},
            _FINANCE_DECIDES,
        )
        for step in ("accept", "to_department", "to_unit")
        for suffix, status in (("", Status.FINANCE_PENDING), ("_targets", Status.TARGETS_FINANCE))
    },
    "review_queue": (
        "get",
        lambda p: reverse("perfgoals:review_queue"),
        _submitted_state,
        None,
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (403, SAME),
            "unit_other": (403, SAME),
            "supervisor_own": (200, SAME),
            "supervisor_other": (200, SAME),
            "finance": (403, SAME),
            "finance_other": (403, SAME),
            "admin": (200, SAME),
        },
    ),
    "review_page": (
        "get",
        lambda p: reverse("perfgoals:review", args=[p.pk]),
        _submitted_state,
        None,
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (200, SAME),
            "unit_other": (404, SAME),
            "supervisor_own": (200, SAME),
            "supervisor_other": (404, SAME),
            "finance": (200, SAME),
            "finance_other": (404, SAME),
            "admin": (200, SAME),
        },
    ),
    "approve": (
        "post",
        lambda p: reverse("perfgoals:approve", args=[p.pk]),
        _submitted_state,
        lambda p: {"version": p.evaluation.version},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (403, SAME),
            "unit_other": (404, SAME),
            "supervisor_own": (302, CHANGED),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (302, CHANGED),
        },
    ),
    "approve_many": (
        "post",
        lambda p: reverse("perfgoals:approve_many"),
        _submitted_state,
        lambda p: {"select": f"{p.evaluation.pk}:{p.evaluation.version}", "comment": "同意"},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (403, SAME),
            "unit_other": (403, SAME),
            "supervisor_own": (302, CHANGED),
            "supervisor_other": (302, SAME),  # refused by the action: "项目不存在或无权审核"
            "finance": (403, SAME),
            "finance_other": (403, SAME),
            "admin": (302, CHANGED),
        },
    ),
    "return": (
        "post",
        lambda p: reverse("perfgoals:return", args=[p.pk]),
        _submitted_state,
        lambda p: {"version": p.evaluation.version, "comment": "请补充偏差说明"},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (403, SAME),
            "unit_other": (404, SAME),
            "supervisor_own": (302, CHANGED),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (302, CHANGED),
        },
    ),
    "reopen": (
        "post",
        lambda p: reverse("perfgoals:reopen", args=[p.pk]),
        _approved_state,
        lambda p: {"version": p.evaluation.version, "reason": "按审计意见更正"},
        {
            "anonymous": (LOGIN, SAME),
            "unit_own": (403, SAME),
            "unit_other": (404, SAME),
            "supervisor_own": (302, CHANGED),
            "supervisor_other": (404, SAME),
            "finance": (403, SAME),
            "finance_other": (404, SAME),
            "admin": (302, CHANGED),
        },
    ),
    # --- directions (#12): the unit confirms a guess, the supervisor corrects one while reviewing ---
    "confirm_directions": (
        "post",
        lambda p: reverse("perfgoals:confirm_directions", args=[p.pk]),
        _guessed_state,
        lambda p: {"version": p.evaluation.version},
        _UNIT_ONLY_REDIRECT,
    ),
    "confirm_direction": (
        "post",
        None,
        _guessed_state,
        _direction_post("confirm_direction"),
        _UNIT_ONLY_REDIRECT,
    ),
    "correct_direction": (
        "post",
        None,
        _submitted_state,
        _direction_post("correct_direction"),
        _SUPERVISOR_DECIDES,
    ),
    # --- the target stage (the project-year put back to 目标草稿 / 目标已提交) ---
    "project_page_draft": (
        "get",
        lambda p: reverse("perfgoals:project", args=[p.pk]),
        _draft_state,
        None,
        _READERS,
    ),
    "add_target": (
        "post",
        lambda p: reverse("perfgoals:add_target", args=[p.pk]),
        _draft_state,
        lambda p: {"level1": "output", "level2": "quantity", "name": "新增指标", "target_text": "≥5 次"},
        _UNIT_ONLY_REDIRECT,
    ),
    "update_target": (
        "post",
        None,
        _draft_state,
        _target_post("update_target", target_text="≥95%"),
        _UNIT_ONLY_REDIRECT,
    ),
    "delete_target": ("post", None, _draft_state, _target_post("delete_target"), _UNIT_ONLY_REDIRECT),
    "move_target": ("post", None, _draft_state, _target_post("move_target"), _UNIT_ONLY_REDIRECT),
    "save_project_info": (
        "post",
        lambda p: reverse("perfgoals:save_project_info", args=[p.pk]),
        _draft_state,
        lambda p: {"version": p.evaluation.version, "total_budget": "1807.5", "start_date": "2021-01-01"},
        _UNIT_ONLY_REDIRECT,
    ),
    "save_level1_weights": (
        "post",
        lambda p: reverse("perfgoals:save_level1_weights", args=[p.pk]),
        _draft_state,
        lambda p: {"version": p.evaluation.version, "w_output": "40"},
        _UNIT_ONLY_REDIRECT,
    ),
    # 附件1's weights do not add up (产出 60 under a 50 header): the unit reaches the action and is told
    # what is missing (422), nothing is submitted
    "submit_targets": (
        "post",
        lambda p: reverse("perfgoals:submit_targets", args=[p.pk]),
        _draft_state,
        lambda p: {"version": p.evaluation.version},
        {**_UNIT_ONLY, "unit_own": (422, SAME)},
    ),
    "review_page_targets": (
        "get",
        lambda p: reverse("perfgoals:review", args=[p.pk]),
        _targets_submitted_state,
        None,
        _READERS,
    ),
    "grade_targets_good": (
        "post",
        lambda p: reverse("perfgoals:grade_targets", args=[p.pk]),
        _targets_submitted_state,
        lambda p: {"version": p.evaluation.version, "grade": "良"},
        _SUPERVISOR_DECIDES,
    ),
    "grade_targets_fair": (
        "post",
        lambda p: reverse("perfgoals:grade_targets", args=[p.pk]),
        _targets_submitted_state,
        lambda p: {"version": p.evaluation.version, "grade": "中", "comment": "满意度目标偏低"},
        _SUPERVISOR_DECIDES,
    ),
}

MATRIX = [(case, role) for case in CASES for role in ROLE_KEYS]


def test_the_matrix_covers_every_url_and_every_role():
    from config.urls import urlpatterns  # noqa: F401  (the URLconf loads)
    from perfgoals import list_urls
    from perfgoals import urls as perf_urls
    from projects import urls as project_urls

    named = (
        {p.name for p in perf_urls.urlpatterns}
        | {p.name for p in list_urls.urlpatterns}
        | {p.name for p in project_urls.urlpatterns}
    )
    covered = {
        "home",
        "login",
        "project_list",
        "project",
        "save_indicator",
        "save_sheet",
        "save_budget",
        "save_explanations",
        "submit",
        "review_queue",
        "review",
        "approve",
        "approve_many",
        "return",
        "reopen",
        "add_target",
        "update_target",
        "delete_target",
        "move_target",
        "save_level1_weights",
        "save_project_info",
        "submit_targets",
        "grade_targets",
        "confirm_directions",
        "confirm_direction",
        "correct_direction",
        "finance_queue",
        "finance_review",
    }
    assert named - {"logout"} == covered  # logout is a POST that only ends the session
    assert all(set(expected) == set(ROLE_KEYS) for *_, expected in CASES.values())


@pytest.mark.parametrize(("case", "role"), MATRIX, ids=[f"{c}-{r}" for c, r in MATRIX])
def test_permission_matrix(case, role, main_project, client_of):
    method, url_for, prepare, data_for, expected = CASES[case]
    if prepare:
        prepare(main_project)
    main_project.evaluation.refresh_from_db()
    if url_for is None:  # an action on one indicator: the builder gives both
        url, data = data_for(main_project)
    else:
        url, data = url_for(main_project), (data_for(main_project) if data_for else None)
    client = Client() if role == "anonymous" else client_of(role)
    before = snapshot(main_project)

    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)

    status, changed = expected[role]
    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == status, response.content[:500]
    if status in (403, 404):
        body = response.content.decode()
        # a refusal says nothing about the project
        assert main_project.name not in body and "烟台" not in body
    after = snapshot(main_project)
    if changed:
        assert after != before
    else:
        assert after == before


@pytest.mark.parametrize("role", ROLE_KEYS[1:])
def test_lists_and_exports_show_a_project_only_to_those_who_may_see_it(role, main_project, client_of):
    sees = role in {"unit_own", "supervisor_own", "finance", "admin"}
    client = client_of(role)
    search = {"year": "all", "q": main_project.name}
    page = client.get(reverse("project_list"), search)
    listed = {row.record.pk for row in page.context["table"].paginated_rows}
    csv = client.get(reverse("project_list"), {**search, "_export": "csv"}).getvalue().decode("utf-8")
    assert (main_project.pk in listed) is sees
    assert (f",{main_project.name}," in csv) is sees
