"""The four fields 财预〔2021〕101号 adds to each indicator (指标解释, 评(扣)分标准, 数据来源/佐证, 取值依据):
their limits in the model, entered on the target page through the target stage's action (version check,
history reason, no rescoring), and refused whole when forged or oversized."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from perfgoals import workflow
from perfgoals.intake import services as intake_services
from perfgoals.models import STANDARD_101_LENGTHS, Evaluation, Indicator
from projects.models import Project

from .conftest import HTMX, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(small_project, user_of) -> Project:
    report = intake_services.rollover(intake_services.Actor(user_of("unit_own")), [small_project.pk], 2020)
    return Project.objects.select_related("evaluation", "unit__department").get(pk=report.created[0].pk)


def url(name, project, *args):
    return reverse(f"perfgoals:{name}", args=[project.pk, *args])


def first(project) -> Indicator:
    return Indicator.objects.filter(project=project).order_by("order").first()


def edit(ind, **values) -> dict:
    data = {f"t{ind.pk}-version": ind.version}
    data.update({f"t{ind.pk}-{k}": v for k, v in values.items()})
    return data


FIELDS = {
    "explanation": "享受医疗救助的困难群众中，住院费用按规定比例获得救助的比例。",
    "scoring_standard": "达到目标值得满分；每低 1 个百分点扣 0.5 分，扣完为止。",
    "data_source": "医疗救助系统年度统计报表",
    "basis": "history",
}


# --- the model ------------------------------------------------------------------------------------


def test_the_model_holds_the_limits(draft):
    ind = first(draft)
    for name, limit in STANDARD_101_LENGTHS.items():
        setattr(ind, name, "字" * limit)
    ind.basis = "plan"
    ind.full_clean()
    ind.explanation = "字" * (STANDARD_101_LENGTHS["explanation"] + 1)
    with pytest.raises(ValidationError) as raised:
        ind.full_clean()
    assert "explanation" in raised.value.message_dict
    ind.explanation = ""
    ind.basis = "guess"
    with pytest.raises(ValidationError) as raised:
        ind.full_clean()
    assert "basis" in raised.value.message_dict
    # the database refuses an unknown 取值依据 whatever code writes it
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=ind.pk).update(basis="guess")
    labels = {f.name: str(f.verbose_name) for f in Indicator._meta.fields}
    assert [labels[n] for n in ("explanation", "scoring_standard", "data_source", "basis")] == [
        "指标解释",
        "评(扣)分标准",
        "数据来源/佐证",
        "取值依据",
    ]
    assert [label for _, label in Indicator._meta.get_field("basis").choices] == [
        "计划标准",
        "行业标准",
        "历史标准",
        "其他",
    ]


# --- the action -------------------------------------------------------------------------------------


def test_the_action_saves_them_with_a_reason_and_without_rescoring(draft, user_of, django_assert_num_queries):
    ind = first(draft)
    before = Indicator.objects.filter(project=draft).values_list("pk", "score", "target_kind")
    scores = list(before)
    outcome = workflow.update_indicator_target(ind, user_of("unit_own"), dict(FIELDS), ind.version)
    assert sorted(outcome.changed) == sorted(FIELDS)
    assert outcome.result is None  # nothing the engine reads changed
    ind.refresh_from_db()
    assert {name: getattr(ind, name) for name in FIELDS} == FIELDS
    assert ind.version == 2 and ind.filled_101 == 4 and ind.get_basis_display() == "历史标准"
    record = ind.history.first()
    assert record.history_user == user_of("unit_own")
    assert record.history_change_reason == "修改指标：指标解释、评(扣)分标准、数据来源/佐证、取值依据"
    assert Evaluation.objects.get(project=draft).version == draft.evaluation.version + 1
    assert list(Indicator.objects.filter(project=draft).values_list("pk", "score", "target_kind")) == scores
    # the same again is no change
    again = workflow.update_indicator_target(ind, user_of("unit_own"), dict(FIELDS), ind.version)
    assert again.changed == []


def test_a_stale_page_is_a_conflict(draft, user_of):
    ind = first(draft)
    workflow.update_indicator_target(ind, user_of("unit_own"), {"explanation": "甲"}, ind.version)
    with pytest.raises(workflow.VersionConflict):
        workflow.update_indicator_target(ind, user_of("unit_own"), {"explanation": "乙"}, ind.version)
    ind.refresh_from_db()
    assert ind.explanation == "甲"


def test_the_action_refuses_oversized_text_and_unknown_basis(draft, user_of):
    ind = first(draft)
    with pytest.raises(workflow.InvalidData) as raised:
        workflow.update_indicator_target(
            ind,
            user_of("unit_own"),
            {"scoring_standard": "扣" * 501, "basis": "guess", "explanation": "好"},
            ind.version,
        )
    assert set(raised.value.errors) == {"scoring_standard", "basis"}
    assert "最多 500 字" in raised.value.errors["scoring_standard"][0]
    ind.refresh_from_db()
    assert (ind.explanation, ind.scoring_standard, ind.basis, ind.version) == ("", "", "", 1)


def test_approved_targets_are_locked(draft, user_of):
    from .conftest import set_status

    set_status(draft, "targets_approved")
    ind = first(draft)
    with pytest.raises(workflow.WorkflowError):
        workflow.update_indicator_target(ind, user_of("unit_own"), {"explanation": "改"}, ind.version)


# --- the page ---------------------------------------------------------------------------------------


def test_the_page_shows_and_saves_them(draft, client_of):
    client = client_of("unit_own")
    ind = first(draft)
    html = client.get(url("project", draft)).content.decode()
    assert f'data-testid="f101-{ind.pk}"' in html and "101号 字段" in html and "已填 0/4" in html
    assert f'name="t{ind.pk}-scoring_standard"' in html and f'form="tform-{ind.pk}"' in html
    response = client.post(url("update_target", draft, ind.pk), edit(ind, **FIELDS), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已填 4/4" in body and "历史标准" in body and FIELDS["data_source"] in body
    ind.refresh_from_db()
    assert ind.scoring_standard == FIELDS["scoring_standard"] and ind.version == 2


def test_a_row_save_without_the_fields_keeps_them(draft, client_of, user_of):
    ind = first(draft)
    workflow.update_indicator_target(ind, user_of("unit_own"), dict(FIELDS), ind.version)
    ind.refresh_from_db()
    # the 确认方向 buttons send 指标性质 alone
    client_of("unit_own").post(url("update_target", draft, ind.pk), edit(ind, nature="ge"), **HTMX)
    ind.refresh_from_db()
    assert {name: getattr(ind, name) for name in FIELDS} == FIELDS


@pytest.mark.parametrize(
    "forged",
    [
        {"explanation": "解" * 501},
        {"data_source": "源" * 301},
        {"basis": "guess"},
        {"basis": "计划标准"},  # the label, not the value
    ],
)
def test_forged_or_oversized_posts_change_nothing(draft, client_of, forged):
    ind = first(draft)
    before = snapshot(draft)
    stored = list(Indicator.objects.filter(project=draft).values(*FIELDS))
    response = client_of("unit_own").post(
        url("update_target", draft, ind.pk), edit(ind, name="改名", **forged), **HTMX
    )
    assert response.status_code == 422
    assert "未保存" in response.content.decode()
    assert snapshot(draft) == before
    assert list(Indicator.objects.filter(project=draft).values(*FIELDS)) == stored
    assert Indicator.objects.get(pk=ind.pk).name == ind.name


def test_another_unit_cannot_write_them(draft, client_of):
    ind = first(draft)
    before = snapshot(draft)
    response = client_of("unit_other").post(url("update_target", draft, ind.pk), edit(ind, **FIELDS))
    assert response.status_code in (403, 404)
    assert snapshot(draft) == before
    assert Indicator.objects.get(pk=ind.pk).explanation == ""


def test_the_review_page_shows_them_read_only(draft, client_of, user_of):
    ind = first(draft)
    workflow.update_indicator_target(ind, user_of("unit_own"), dict(FIELDS), ind.version)
    workflow.submit_targets(Evaluation.objects.get(project=draft), user_of("unit_own"))
    html = client_of("supervisor_own").get(reverse("perfgoals:review", args=[draft.pk])).content.decode()
    assert FIELDS["scoring_standard"] in html and "历史标准" in html
    assert f'name="t{ind.pk}-scoring_standard"' not in html
