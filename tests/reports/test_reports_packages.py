"""Annual packages: built by the Celery task from ids, progress written as it goes, safe to run twice,
reproducible; the whole demo region through a real worker on Redis."""

import io
import time
import zipfile

import pytest
from conftest import open_xlsx
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from perfgoals.demo import load_demo
from perfgoals.reports import actions, packages, tasks
from perfgoals.reports.models import PackageStatus, ReportPackage
from projects.models import Project, Region


def _zip(package: ReportPackage) -> zipfile.ZipFile:
    with default_storage.open(package.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


@pytest.mark.django_db
def test_department_package_holds_every_output(
    yantai, user, media, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        package = actions.start_package(user("shenhe_yantai"), department=yantai, year=2019)
        tasks.queue_package(package)
    assert len(callbacks) == 1  # queued on commit, not before
    package.refresh_from_db()
    assert (package.status, package.progress, package.project_count) == (PackageStatus.DONE, 100, 3)
    archive = _zip(package)
    root = "烟台市医疗保障局_2019年度_绩效自评材料"
    assert sorted(archive.namelist()) == sorted(
        [f"{root}/说明.txt"]
        + [
            f"{root}/2019年度/{name}"
            for name in (
                "01_部门预算项目绩效自评情况汇总表.xlsx",
                "01_部门预算项目绩效自评情况汇总表.html",
                "02_绩效评价报告.docx",
                "02_绩效评价报告.html",
                "03_项目支出绩效目标表.xlsx",
                "自评表/01_居民基本医疗保险市级财政补助.xlsx",
                "自评表/01_居民基本医疗保险市级财政补助.html",
                "自评表/02_职工长期护理保险市级财政补助.xlsx",
                "自评表/02_职工长期护理保险市级财政补助.html",
                "自评表/03_困难群众医疗救助.xlsx",
                "自评表/03_困难群众医疗救助.html",
            )
        ]
    )
    summary = open_xlsx(archive.read(f"{root}/2019年度/01_部门预算项目绩效自评情况汇总表.xlsx")).active
    assert [summary.cell(r, 5).value for r in (4, 5, 6)] == ["优", "优", "优"]
    html = archive.read(f"{root}/2019年度/自评表/01_居民基本医疗保险市级财政补助.html").decode()
    assert "<style>" in html and "/static/" not in html  # standalone: prints without the server
    readme = archive.read(f"{root}/说明.txt").decode()
    assert "绩效评价报告尚未定稿" in readme


@pytest.mark.django_db
def test_running_the_task_twice_returns_the_finished_package(
    yantai, user, media, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        package = actions.start_package(user("shenhe_yantai"), department=yantai, year=2019)
        tasks.queue_package(package)
    package.refresh_from_db()
    name, modified = package.file.name, default_storage.get_modified_time(package.file.name)
    again = tasks.build_package.delay(package.pk).get()
    assert again == {"package_id": package.pk, "status": "done", "file": name}
    assert default_storage.get_modified_time(name) == modified
    # a package whose file went missing is rebuilt under the same name
    default_storage.delete(name)
    assert tasks.build_package.delay(package.pk).get()["file"] == name
    assert default_storage.exists(name)


@pytest.mark.django_db
def test_the_same_data_gives_the_same_bytes(yantai, user, media):
    package = ReportPackage.objects.create(
        scope="department",
        department=yantai,
        region=yantai.region,
        year=2019,
        created_by=user("shenhe_yantai"),
    )
    first, second = io.BytesIO(), io.BytesIO()
    packages.write_package(package, first)
    packages.write_package(package, second)
    assert first.getvalue() == second.getvalue()


@pytest.mark.django_db
def test_progress_is_written_as_the_build_goes(yantai, user, media, monkeypatch):
    package = ReportPackage.objects.create(
        scope="department",
        department=yantai,
        region=yantai.region,
        year=2019,
        created_by=user("shenhe_yantai"),
    )
    seen = []
    original = packages.write_package

    def spy(pkg, target, on_progress=None):
        def record(value):
            on_progress(value)
            seen.append(ReportPackage.objects.get(pk=pkg.pk).progress)

        return original(pkg, target, record)

    monkeypatch.setattr(packages, "write_package", spy)
    packages.build_package(package.pk)
    assert seen == sorted(seen) and 0 < seen[0] < 100 and len(set(seen)) >= 4
    package.refresh_from_db()
    assert package.progress == 100 and package.status == PackageStatus.DONE


@pytest.mark.django_db
def test_a_failed_build_is_recorded(yantai, user, media, monkeypatch):
    package = ReportPackage.objects.create(
        scope="department",
        department=yantai,
        region=yantai.region,
        year=2019,
        created_by=user("shenhe_yantai"),
    )

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(packages, "write_package", broken)
    assert packages.build_package(package.pk)["status"] == PackageStatus.FAILED
    package.refresh_from_db()
    assert package.status == PackageStatus.FAILED and "磁盘已满" in package.error


@pytest.mark.django_db
def test_package_scope_follows_the_creators_scope(yantai, user, media):
    with pytest.raises(PermissionDenied):
        actions.start_package(user("shenhe_qinghai"), department=yantai, year=2019)
    with pytest.raises(PermissionDenied):
        actions.start_package(user("shenhe_yantai"), region=yantai.region)
    with pytest.raises(PermissionDenied):
        actions.start_package(user("caizheng_yantai"))  # all regions: administrators only
    package = ReportPackage.objects.create(
        scope="region", region=yantai.region, created_by=user("caizheng_yantai")
    )
    projects = packages.package_projects(package)
    assert projects.count() == Project.objects.filter(unit__department__region=yantai.region).count() == 11


@pytest.mark.celery_worker
def test_region_package_of_all_49_projects_through_a_real_worker(celery_live_worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(accounts=True)
    admin = get_user_model().objects.get(username="admin")
    package = actions.start_package(admin)  # every region, every year
    tasks.queue_package(package)  # queued on commit (autocommit here)
    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        package.refresh_from_db()
        seen.add(package.progress)
        if package.finished:
            break
        time.sleep(0.2)
    assert package.status == PackageStatus.DONE, package.error
    assert package.progress == 100 and package.project_count == 49 == Project.objects.count()
    assert any(0 < value < 100 for value in seen), seen  # the page's progress bar had something to show
    names = _zip(package).namelist()
    forms = [name for name in names if "/自评表/" in name and name.endswith(".xlsx")]
    assert len(forms) == 49
    assert len([name for name in names if name.endswith("02_绩效评价报告.docx")]) == 5  # department-years
    regions = {name.split("/")[1] for name in names if name.count("/") > 1}
    assert regions == set(Region.objects.values_list("name", flat=True))


@pytest.mark.django_db
def test_a_package_built_in_parts_holds_what_the_one_task_build_holds(
    yantai, user, media, eager_tasks, settings
):
    package = ReportPackage.objects.create(
        scope="region", region=yantai.region, created_by=user("caizheng_yantai")
    )
    whole = io.BytesIO()
    packages.write_package(package, whole)
    settings.REPORT_PACKAGE_PART_SIZE = 2  # 烟台's 11 projects → several parts per department-year

    result = tasks.build_package.delay(package.pk).get()

    assert result["parts"] > 2
    package.refresh_from_db()
    assert (package.status, package.progress, package.project_count) == (PackageStatus.DONE, 100, 11)
    expected, built = zipfile.ZipFile(whole), _zip(package)
    assert built.namelist() == expected.namelist()
    for name in expected.namelist():
        assert built.read(name) == expected.read(name), name
    assert not default_storage.listdir(f"reports/packages/{package.pk}/parts")[1]  # parts removed


def test_a_late_part_of_an_older_build_is_ignored(yantai, user, media, eager_tasks, settings):
    """#17: a stale part redelivered after a rebuild turned the finished package into FAILED while its
    ZIP was on disk. Parts carry their build; a part, a join or a failure of an older one is ignored."""
    package = ReportPackage.objects.create(
        scope="region", region=yantai.region, created_by=user("caizheng_yantai")
    )
    settings.REPORT_PACKAGE_PART_SIZE = 2
    package.refresh_from_db()
    old_part = {**packages.package_parts(package, 2)[0], "build": package.build}
    ReportPackage.objects.filter(pk=package.pk).update(status=PackageStatus.FAILED)
    assert actions.rebuild_package(user("caizheng_yantai"), package)
    tasks.build_package.delay(package.pk).get()
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE and package.build == 1
    done = (package.status, package.file.name, package.progress)

    late = packages.build_package_part(package.pk, 0, old_part)
    assert late["stale"] and late["file"] is None
    packages.fail_package(package.pk, OSError("磁盘已满"), old_part["build"])
    assert packages.finish_package([late], package.pk)["status"] == "ignored"
    package.refresh_from_db()
    assert (package.status, package.file.name, package.progress) == done and package.error == ""
    assert default_storage.exists(package.file.name)
