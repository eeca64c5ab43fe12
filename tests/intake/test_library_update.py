"""The indicator library kept up to date entry by entry (#18): an import or a submission of targets
recomputes only the entries its names touch, with the same result as a full rebuild; a full rebuild
and an update never run at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from perfgoals.choices import Status
from perfgoals.intake import services, tasks
from perfgoals.intake.models import LibraryIndicator, LibraryName
from perfgoals.models import Evaluation, Indicator
from perfgoals.project_years import IndicatorData, ProjectYearData, create_project_year
from projects.models import Project

pytestmark = pytest.mark.django_db

FIELDS = ("region_id", "name_key", "name", "level1", "level2", "direction", "qualitative", "unit")
FIELDS += ("typical_target", "usage_count")


def _snapshot() -> set[tuple]:
    return set(LibraryIndicator.objects.values_list(*FIELDS))


def _submitted_project(unit, name: str, indicators: list[IndicatorData]) -> Project:
    project = create_project_year(unit, ProjectYearData(name=name, year=2030, indicators=indicators))
    Evaluation.objects.filter(project=project).update(status=Status.TARGETS_SUBMITTED)
    return project


def _huancui_unit():
    return Indicator.objects.filter(name="项目完成率").select_related("project__unit")[0].project.unit


@pytest.fixture
def library(demo):
    services.build_library()


def test_an_update_touches_only_its_entries_and_agrees_with_a_full_rebuild(library):
    untouched = LibraryIndicator.objects.get(name_key="居民参保缴费人数")
    before = LibraryIndicator.objects.get(name_key="项目完成率")
    assert before.usage_count == 6
    project = _submitted_project(
        _huancui_unit(),
        "新增项目",
        [
            # another spelling of an existing entry, and a name the library has never seen
            IndicatorData(level1="output", level2="quality", name="1、项目完成率", target_text="100%"),
            IndicatorData(level1="output", level2="quantity", name="新建档案数", target_text="≥300份"),
        ],
    )
    report = services.update_library([project.pk])
    assert (report.created, report.updated, report.removed) == (1, 1, 0)
    assert LibraryIndicator.objects.get(pk=before.pk).usage_count == 7
    new = LibraryIndicator.objects.get(name_key="新建档案数")
    assert (new.region_id, new.unit, new.typical_target, new.usage_count) == (
        project.unit.department.region_id,
        "份",
        "≥300份",
        1,
    )
    assert LibraryIndicator.objects.get(pk=untouched.pk).updated_at == untouched.updated_at
    incremental = _snapshot()
    services.build_library()
    assert _snapshot() == incremental


def test_a_draft_adds_nothing_and_an_update_of_nothing_changes_nothing(library):
    project = create_project_year(
        _huancui_unit(),
        ProjectYearData(
            name="草稿",
            year=2030,
            indicators=[
                IndicatorData(level1="output", level2="quantity", name="草稿指标", target_text="5台")
            ],
        ),
    )
    before = _snapshot()
    report = services.update_library([project.pk])
    assert (report.created, report.updated, report.removed) == (0, 0, 0)
    assert _snapshot() == before
    assert services.update_library([]).total == len(before)


def test_a_name_no_longer_used_loses_its_entry_at_the_update(library):
    project = _submitted_project(
        _huancui_unit(),
        "改名项目",
        [IndicatorData(level1="output", level2="quantity", name="临时指标", target_text="≥3次")],
    )
    services.update_library([project.pk])
    assert LibraryIndicator.objects.filter(name_key="临时指标").exists()
    Evaluation.objects.filter(project=project).update(status=Status.DRAFT)
    services.update_library([project.pk])
    assert not LibraryIndicator.objects.filter(name_key="临时指标").exists()


def test_the_full_rebuild_records_every_spelling(library):
    assert LibraryName.objects.get(name="1、居民参保缴费人数").name_key == "居民参保缴费人数"
    assert LibraryName.objects.count() == Indicator.objects.values("name").distinct().count()


def test_submitting_targets_queues_the_update_of_that_project(
    client, demo, monkeypatch, django_capture_on_commit_callbacks
):
    from perfgoals import workflow

    queued: list = []
    monkeypatch.setattr(tasks.update_library, "delay", lambda ids: queued.append(ids))
    unit = _huancui_unit()
    project = create_project_year(
        unit,
        ProjectYearData(
            name="待提交",
            year=2030,
            indicators=[IndicatorData(level1="output", level2="quantity", name="新指标", target_text="≥5台")],
        ),
    )
    from projects.models import Membership

    user = Membership.objects.filter(unit=unit).select_related("user").first().user
    client.force_login(user)
    url = reverse("perfgoals:submit_targets", args=[project.pk])
    version = project.evaluation.version
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"version": version + 7})  # a stale page: refused, nothing queued
    assert queued == []
    monkeypatch.setattr(workflow, "submit_targets", lambda evaluation, user, version: evaluation)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"version": version})
    assert queued == [[project.pk]]


@pytest.mark.django_db(transaction=True)
def test_two_updates_at_once_do_not_race_on_the_unique_key(monkeypatch):
    """Two imports of the same new indicator name, updated at the same moment, make one entry."""
    if connection.vendor != "postgresql":
        pytest.skip("the library lock is PostgreSQL's advisory lock; SQLite serialises writers itself")
    from perfgoals.demo import load_demo
    from perfgoals.intake import library

    load_demo()
    unit = _huancui_unit()
    indicator = IndicatorData(level1="output", level2="quantity", name="同时导入的指标", target_text="≥3次")
    projects = [_submitted_project(unit, f"同时导入 {n}", [indicator]) for n in (1, 2)]
    services.build_library()
    key = library.name_key("同时导入的指标")  # the library's key ("的" dropped: one entry for both spellings)
    LibraryIndicator.objects.filter(name_key=key).delete()
    errors: list[BaseException] = []
    # both updates have read the data and meet before writing — unless the lock keeps the second
    # out, in which case the first goes on alone after a moment
    meet = threading.Barrier(2)
    write = library._write

    def write_together(*args):
        try:
            meet.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        write(*args)

    monkeypatch.setattr(library, "_write", write_together)

    def update(project):
        try:
            services.update_library([project.pk])
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=update, args=(project,)) for project in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert LibraryIndicator.objects.get(name_key=key).usage_count == 2


def test_near_duplicate_names_are_one_entry_and_an_update_agrees_with_a_rebuild(library):
    """#16: Qinghai writes both "参保人员满意度" and "参保人员的满意度"; the library has one entry."""
    assert Indicator.objects.filter(name="参保人员的满意度").exists()
    assert Indicator.objects.filter(name="参保人员满意度").exists()
    entries = LibraryIndicator.objects.filter(name__in=["参保人员满意度", "参保人员的满意度"])
    assert entries.count() == 1
    entry = entries.get()
    assert entry.name_key == "参保人员满意度"
    assert entry.typical_target == "≥90%"  # printed ≥ | 90 | %, in the engine's notation
    region = Indicator.objects.filter(name="参保人员满意度").values_list("project__region_id", flat=True)[0]
    usage = Indicator.objects.filter(
        name__in=["参保人员满意度", "参保人员的满意度"],
        project__region_id=region,
        project__evaluation__status__in=services.LIBRARY_STATUSES,
    ).count()
    assert entry.usage_count == usage
    unit = Indicator.objects.filter(name="参保人员满意度").select_related("project__unit")[0].project.unit
    project = _submitted_project(
        unit,
        "另一写法",
        [
            IndicatorData(
                level1="satisfaction",
                level2="service_satisfaction",
                name="参保人员 的 满意度（ ）",
                target_text="≧92%",
            )
        ],
    )
    services.update_library([project.pk])
    assert LibraryIndicator.objects.get(pk=entry.pk).usage_count == usage + 1
    assert LibraryName.objects.get(name="参保人员 的 满意度（ ）").name_key == "参保人员满意度"
    incremental = _snapshot()
    services.build_library()
    assert _snapshot() == incremental
