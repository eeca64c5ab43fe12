"""The audit log (hardening #17, item 2): who changed an account, a role assignment or a scoring scheme,
when, from what to what — and an evaluation's status and scores cannot be set by hand in the admin.

The case of the issue: a superuser grant through the admin left only Django's "changed" line. Now it
leaves an entry naming the administrator, the time, the field, its old and its new value.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry
from perfgoals.models import Evaluation, ScoringScheme
from projects.choices import Role
from projects.models import Membership, Project, Unit

pytestmark = pytest.mark.django_db


def entries(obj, action: str | None = None):
    qs = AuditEntry.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


def user_form(user, **changes) -> dict:
    """The admin's user change form as it would be posted, with `changes`."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [str(pk) for pk in user.user_permissions.values_list("pk", flat=True)],
        "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(user.date_joined).strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.fixture
def administrator(demo):
    return get_user_model().objects.get(username="admin")


@pytest.fixture
def admin_web(administrator):
    client = Client()
    client.force_login(administrator)
    return client


@pytest.fixture
def clerk(demo):
    return get_user_model().objects.get(username="tianbao_yantai")


def test_a_superuser_grant_through_the_admin_names_who_when_old_and_new(admin_web, administrator, clerk):
    before = timezone.now()
    response = admin_web.post(
        f"/admin/auth/user/{clerk.pk}/change/",
        user_form(clerk, is_superuser="on", is_staff="on"),
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    clerk.refresh_from_db()
    assert clerk.is_superuser
    entry = entries(clerk, "change").get()
    assert entry.actor == administrator and entry.actor_name == "admin"
    assert before <= entry.created_at <= timezone.now()
    assert entry.ip_address == "10.9.8.7"
    assert entry.changes["is_superuser"] == {"label": "超级用户状态", "old": "否", "new": "是"}
    assert entry.changes["is_staff"] == {"label": "工作人员状态", "old": "否", "new": "是"}
    assert set(entry.changes) == {"is_superuser", "is_staff"}


def test_the_record_reads_in_chinese_in_the_admin(admin_web, clerk):
    admin_web.post(f"/admin/auth/user/{clerk.pk}/change/", user_form(clerk, is_superuser="on"))
    entry = entries(clerk, "change").get()
    listing = admin_web.get("/admin/accounts/auditentry/").content.decode()
    assert "审计日志" in listing and "超级用户状态：否 → 是" in listing and "tianbao_yantai" in listing
    detail = admin_web.get(f"/admin/accounts/auditentry/{entry.pk}/change/")
    html = detail.content.decode()
    assert detail.status_code == 200 and "原值" in html and "新值" in html and 'name="_save"' not in html
    assert admin_web.get("/admin/accounts/auditentry/add/").status_code == 403
    assert (
        admin_web.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )


def test_group_and_permission_changes_are_recorded_with_the_whole_sets(admin_web, clerk):
    auditors = Group.objects.create(name="审计员")
    admin_web.post(f"/admin/auth/user/{clerk.pk}/change/", user_form(clerk, groups=[str(auditors.pk)]))
    change = entries(clerk, "change").get()
    assert change.changes == {"groups": {"label": "组", "old": [], "new": ["审计员"]}}
    # from the other side too
    second = Group.objects.create(name="复核员")
    second.user_set.add(clerk)
    latest = entries(clerk, "change").latest("pk")
    assert latest.changes["groups"]["old"] == ["审计员"]
    assert latest.changes["groups"]["new"] == ["复核员", "审计员"]
    assert latest.actor is None and latest.actor_name == ""  # no request: a command or a task


def test_passwords_are_recorded_as_changed_never_with_their_hashes(clerk):
    old_hash = clerk.password
    clerk.set_password("Another-Pass-2025")
    clerk.save()
    entry = entries(clerk, "change").get()
    assert entry.changes == {"password": {"label": "密码", "old": "（已隐藏）", "new": "（已修改）"}}
    assert old_hash not in str(entry.changes) and clerk.password not in str(entry.changes)


def test_signing_in_writes_no_change_of_the_account(clerk):
    before = entries(clerk).count()  # the demo loader's "created" entry
    Client().force_login(clerk)  # saves last_login
    assert entries(clerk).count() == before + 1
    assert entries(clerk, "login").count() == 1


def test_createsuperuser_is_recorded_as_the_system(monkeypatch, db):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Chuangjian-2025!")
    call_command("createsuperuser", "--noinput", username="root2", email="root2@example.cn", verbosity=0)
    user = get_user_model().objects.get(username="root2")
    entry = entries(user, "create").get()
    assert entry.actor is None and entry.actor_name == ""
    assert entry.changes["is_superuser"] == {"label": "超级用户状态", "old": None, "new": "是"}
    assert entry.changes["password"]["new"] == "（已设置）"


def test_role_assignments_are_recorded(admin_web, administrator, clerk):
    unit = Unit.objects.get(name="烟台市医疗保障服务中心")
    response = admin_web.post(
        "/admin/projects/membership/add/", {"user": clerk.pk, "role": Role.UNIT_USER, "unit": unit.pk}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=clerk, unit=unit)
    created = entries(membership, "create").get()
    assert created.actor == administrator
    assert created.changes["role"] == {"label": "角色", "old": None, "new": "填报人（实施单位）"}
    assert created.changes["unit"]["new"] == f"烟台市医疗保障服务中心（#{unit.pk}）"
    department = unit.department
    response = admin_web.post(
        f"/admin/projects/membership/{membership.pk}/change/",
        {"user": clerk.pk, "role": Role.SUPERVISOR, "department": department.pk},
    )
    assert response.status_code == 302
    changed = entries(membership, "change").get()
    assert changed.changes["role"] == {
        "label": "角色",
        "old": "填报人（实施单位）",
        "new": "审核人（主管部门）",
    }
    assert changed.changes["unit"]["new"] is None and changed.changes["department"]["old"] is None
    admin_web.post(f"/admin/projects/membership/{membership.pk}/delete/", {"post": "yes"})
    deleted = entries(membership, "delete").get()
    assert deleted.changes["role"]["old"] == "审核人（主管部门）" and deleted.actor == administrator


def test_scoring_scheme_changes_are_recorded(admin_web, administrator):
    scheme = ScoringScheme.objects.get(code="national-2020")
    old_description = scheme.description
    response = admin_web.post(
        f"/admin/perfgoals/scoringscheme/{scheme.pk}/change/",
        {
            "code": scheme.code,
            "name": scheme.name,
            "description": "改过的说明",
            "params": __import__("json").dumps(scheme.params, ensure_ascii=False),
        },
    )
    assert response.status_code == 302
    entry = entries(scheme, "change").get()
    assert entry.actor == administrator
    assert entry.changes == {"description": {"label": "说明", "old": old_description, "new": "改过的说明"}}


# --- an evaluation's status and scores are the workflow's and the engine's ------------------------------

READ_ONLY = {
    "status",
    "execution_rate",
    "execution_score",
    "total_score",
    "grade",
    "complete",
    "warnings",
    "review_comment",
    "computed_at",
    "submitted_at",
    "submitted_total",
    "submitted_grade",
    "reopened_at",
    "version",
}


def test_the_evaluation_admin_cannot_set_status_scores_or_grade(admin_web):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    evaluation = project.evaluation
    before = Evaluation.objects.filter(pk=evaluation.pk).values(*READ_ONLY).get()
    url = f"/admin/perfgoals/evaluation/{evaluation.pk}/change/"
    page = admin_web.get(url)
    form = page.context["adminform"].form
    assert not READ_ONLY & set(form.fields), READ_ONLY & set(form.fields)
    response = admin_web.post(
        url,
        {
            "project": project.pk,
            "status": "draft",
            "total_score": "12.00",
            "grade": "差",
            "version": "99",
            "low_score_explanation": "管理员补充的说明",
            "declared_level1_weights": "{}",
            "warnings": "[]",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    after = Evaluation.objects.filter(pk=evaluation.pk).values(*READ_ONLY).get()
    assert after == before
    assert Evaluation.objects.get(pk=evaluation.pk).low_score_explanation == "管理员补充的说明"


def test_the_project_page_of_the_admin_shows_the_evaluation_read_only(admin_web):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    page = admin_web.get(f"/admin/projects/project/{project.pk}/change/")
    evaluation_forms = [
        formset for formset in page.context["inline_admin_formsets"] if formset.opts.model is Evaluation
    ]
    fields = set(evaluation_forms[0].formset.forms[0].fields)
    assert not READ_ONLY & fields and "scheme" not in fields


def test_the_indicator_admin_cannot_set_a_score(admin_web):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    indicator = project.indicators.order_by("order").first()
    form = admin_web.get(f"/admin/perfgoals/indicator/{indicator.pk}/change/").context["adminform"].form
    assert not {"score", "score_explanation", "flags", "version", "target_value", "actual_value"} & set(
        form.fields
    )
    assert Decimal(0) <= indicator.score


def test_the_audit_log_keeps_its_time_order(admin_web, clerk):
    for flag in ("on", ""):
        admin_web.post(f"/admin/auth/user/{clerk.pk}/change/", user_form(clerk, is_staff=flag))
        clerk.refresh_from_db()
    first, second = entries(clerk, "change").order_by("created_at", "pk")
    assert first.changes["is_staff"]["new"] == "是" and second.changes["is_staff"]["new"] == "否"
    assert second.created_at - first.created_at < timedelta(minutes=1)


def posted(form, **changes) -> dict:
    """An admin change form as the browser would post it unchanged, with `changes`."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return data


def test_an_indicator_changed_in_the_admin_is_rescored_at_once_and_moves_the_version(admin_web):
    project = Project.objects.get(year=2019, name="困难群众医疗救助")
    indicator = next(i for i in project.indicators.order_by("order") if i.score and i.score > 0)
    evaluation = Evaluation.objects.get(project=project)
    version, total = evaluation.version, evaluation.total_score
    url = f"/admin/perfgoals/indicator/{indicator.pk}/change/"
    form = admin_web.get(url).context["adminform"].form
    response = admin_web.post(url, posted(form, actual_text="0"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator.refresh_from_db()
    evaluation.refresh_from_db()
    assert indicator.actual_text == "0" and indicator.score == Decimal("0.00")
    assert evaluation.total_score < total
    assert evaluation.version == version + 1
    reasons = evaluation.history.filter(version=version + 1).values_list("history_change_reason", flat=True)
    assert any("管理员修改指标" in (reason or "") for reason in reasons)


def test_a_unit_renamed_in_the_admin_is_in_the_audit_log(admin_web, administrator):
    unit = Unit.objects.order_by("pk").first()
    old_name = unit.name
    url = f"/admin/projects/unit/{unit.pk}/change/"
    form = admin_web.get(url).context["adminform"].form
    response = admin_web.post(url, posted(form, name="改名后的单位"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = entries(unit, "change").get()
    assert entry.actor == administrator
    assert entry.changes["name"] == {"label": "实施单位", "old": old_name, "new": "改名后的单位"}


@pytest.mark.django_db
def test_the_scheme_admin_explains_every_option(client):
    from django.contrib.auth import get_user_model

    from perfgoals.engine.schemes import OPTION_HELP

    admin = get_user_model().objects.create_superuser("schemes_admin", "a@example.com", "x-Passw0rd-x")
    client.force_login(admin)
    page = client.get("/admin/perfgoals/scoringscheme/add/").content.decode()
    assert all(f"<code>{name}</code>" in page for name in OPTION_HELP)
    assert "执行率低于 80% 总分最高 89 分" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"overshoot_deduction": "-2"}, "指标偏离扣分 overshoot_deduction 不能为负数"),
        ({"overshoot_deduction": "1.5", "overshoot_deduction_as": "share"}, "须在 0 到 1 之间"),
        ({"overshoot_deduction": "2", "overshoot_threshold": None}, "须同时设置超额阈值"),
    ],
)
def test_the_scheme_admin_refuses_a_bad_overshoot_deduction_in_chinese(admin_web, changes, message):
    import json

    scheme = ScoringScheme.objects.get(code="platform-caps")
    before = dict(scheme.params)
    response = admin_web.post(
        f"/admin/perfgoals/scoringscheme/{scheme.pk}/change/",
        {
            "code": scheme.code,
            "name": scheme.name,
            "description": scheme.description,
            "params": json.dumps(scheme.params | changes, ensure_ascii=False),
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.params == before and not entries(scheme, "change").exists()


def test_library_entries_marked_in_bulk_in_the_admin_are_each_in_the_audit_log(admin_web, administrator):
    """The admin's bulk actions on the indicator library were one UPDATE, past the audit log: each
    entry is now saved, and its entry names the administrator, the field, old and new."""
    from perfgoals.intake.models import LibraryIndicator
    from perfgoals.intake.services import build_library

    build_library()
    chosen = list(LibraryIndicator.objects.filter(curated=False).order_by("pk")[:3])
    assert len(chosen) == 3
    response = admin_web.post(
        "/admin/intake/libraryindicator/",
        {"action": "mark_curated", "_selected_action": [str(e.pk) for e in chosen]},
    )
    assert response.status_code == 302
    for entry in chosen:
        [record] = entries(entry, "change")
        assert record.actor == administrator
        assert record.changes == {"curated": {"label": "已审定", "old": "否", "new": "是"}}
    assert LibraryIndicator.objects.filter(pk__in=[e.pk for e in chosen], curated=True).count() == 3


def test_the_states_of_an_import_batch_and_a_report_package_are_in_the_audit_log(
    admin_web, administrator, clerk, settings, tmp_path
):
    """Batches and packages move by conditional UPDATEs (no signal): each move is recorded all the
    same, with who (the request's user, or none for a task), the old and the new state."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from perfgoals.intake import services as intake
    from perfgoals.intake.models import BatchStatus, ImportBatch
    from perfgoals.reports.models import PackageStatus, ReportPackage
    from tests.intake.conftest import workbook_bytes
    from tests.intake.test_views import HEADER, ROWS

    settings.MEDIA_ROOT = tmp_path
    batch = intake.create_batch(
        clerk, SimpleUploadedFile("目标表.xlsx", workbook_bytes([HEADER, *ROWS])), kind="goals", year=None
    )
    intake.build_preview(batch.pk)
    assert intake.confirm_batch(ImportBatch.objects.get(pk=batch.pk))
    label = dict(BatchStatus.choices)
    moves = [
        (e.action, e.changes["status"]["old"], e.changes["status"]["new"])
        for e in entries(batch).order_by("pk")
    ]
    assert moves == [
        ("create", None, label[BatchStatus.PENDING]),
        ("change", label[BatchStatus.PENDING], label[BatchStatus.PARSING]),
        ("change", label[BatchStatus.PARSING], label[BatchStatus.PREVIEW]),
        ("change", label[BatchStatus.PREVIEW], label[BatchStatus.CONFIRMED]),
    ]

    from projects.models import Region

    package = ReportPackage.objects.create(
        scope="region", region=Region.objects.order_by("pk").first(), created_by=administrator
    )
    ReportPackage.objects.filter(pk=package.pk).update(status=PackageStatus.FAILED)  # a crashed build
    admin_web.post(f"/reports/packages/{package.pk}/rebuild/")
    [rebuilt] = entries(package, "change")
    assert rebuilt.actor == administrator
    assert rebuilt.changes["status"]["new"] == dict(PackageStatus.choices)[PackageStatus.QUEUED]
    assert (rebuilt.changes["build"]["old"], rebuilt.changes["build"]["new"]) == (0, 1)
