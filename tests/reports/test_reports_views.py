"""The report pages: who sees what (unit user, supervisor, finance, outsider), the wording workflow,
packages started from the page, downloads."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from perfgoals.reports.models import DepartmentReportText, ReportPackage
from projects.models import Department, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client, user):
    def login(username: str):
        client.force_login(user(username))
        return client

    return login


@pytest.fixture
def p2019(demo):
    return Project.objects.get(year=2019, name="居民基本医疗保险市级财政补助")


@pytest.fixture
def qinghai_project(demo):
    return Project.objects.filter(unit__department__name="青海省医疗保障局").first()


def test_pages_require_login(client, yantai, p2019):
    for url in (
        reverse("reports:index"),
        reverse("reports:form_print", args=[p2019.pk]),
        reverse("reports:summary_xlsx", args=[yantai.pk, 2019]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_unit_user_sees_own_forms_only(client_for, yantai, p2019, qinghai_project):
    client = client_for("tianbao_yantai")
    page = client.get(reverse("reports:index"))
    assert page.status_code == 200 and "居民基本医疗保险市级财政补助" in page.content.decode()
    assert "青海" not in page.content.decode()
    assert client.get(reverse("reports:form_print", args=[p2019.pk])).status_code == 200
    response = client.get(reverse("reports:form_xlsx", args=[p2019.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
    # another unit's project, the department's summary and report: as if they did not exist
    assert client.get(reverse("reports:form_print", args=[qinghai_project.pk])).status_code == 404
    assert client.get(reverse("reports:summary_print", args=[yantai.pk, 2019])).status_code == 404
    assert client.get(reverse("reports:report_docx", args=[yantai.pk, 2019])).status_code == 404


def test_the_other_unit_of_the_department_cannot_read_this_units_form(client_for, p2019):
    assert (
        client_for("tianbao_yantai2").get(reverse("reports:form_print", args=[p2019.pk])).status_code == 404
    )


def test_supervisor_sees_the_department_summary(client_for, yantai):
    client = client_for("shenhe_yantai")
    with CaptureQueriesContext(connection) as eight_projects:
        client.get(reverse("reports:index"), {"department": yantai.pk, "year": 2021})
    with CaptureQueriesContext(connection) as three_projects:
        page = client.get(reverse("reports:index"), {"department": yantai.pk, "year": 2019})
    # no query per project: 3 and 8 projects cost the same
    assert len(three_projects.captured_queries) == len(eight_projects.captured_queries) <= 20
    html = page.content.decode()
    assert page.status_code == 200
    assert "2019 年度烟台市医疗保障局部门预算项目绩效自评情况汇总表" in html
    for name in ("居民基本医疗保险市级财政补助", "职工长期护理保险市级财政补助", "困难群众医疗救助"):
        assert name in html
    assert html.count("<td>优</td>") == 3
    assert (
        'name="work_overview"' in html
        and "readonly" not in html.split('name="work_overview"')[1].split(">")[0]
    )
    for view in ("summary_print", "summary_xlsx", "report_print", "report_docx"):
        assert client.get(reverse(f"reports:{view}", args=[yantai.pk, 2019])).status_code == 200


def test_outsider_gets_404_for_another_department(client_for, yantai, p2019):
    client = client_for("shenhe_qinghai")
    assert client.get(reverse("reports:index"), {"department": yantai.pk}).status_code == 404
    assert client.get(reverse("reports:summary_print", args=[yantai.pk, 2019])).status_code == 404
    assert client.get(reverse("reports:form_print", args=[p2019.pk])).status_code == 404
    response = client.post(
        reverse("reports:wording", args=[yantai.pk, 2019]), {"action": "save", "next_steps": "x"}
    )
    assert response.status_code == 404
    assert not DepartmentReportText.objects.exists()


def test_finance_reads_the_region_but_does_not_word_reports(client_for, yantai, p2019, qinghai_project):
    client = client_for("caizheng_yantai")
    assert client.get(reverse("reports:form_print", args=[p2019.pk])).status_code == 200
    assert client.get(reverse("reports:form_print", args=[qinghai_project.pk])).status_code == 404
    page = client.get(reverse("reports:index"), {"department": yantai.pk, "year": 2019})
    assert page.status_code == 200 and "报告文字由主管部门审核人填写" in page.content.decode()
    response = client.post(
        reverse("reports:wording", args=[yantai.pk, 2019]), {"action": "save", "next_steps": "x"}
    )
    assert response.status_code == 404
    assert not DepartmentReportText.objects.exists()


def test_supervisor_saves_and_finalises_the_wording(client_for, yantai):
    client = client_for("shenhe_yantai")
    url = reverse("reports:wording", args=[yantai.pk, 2019])
    response = client.post(url, {"action": "finalize", "next_steps": ""}, follow=True)
    assert "请先填写三、下一步工作措施" in response.content.decode()
    client.post(url, {"action": "save", "next_steps": "2020 年，我局将严格加强资金管理。"})
    record = DepartmentReportText.objects.get(department=yantai, year=2019)
    assert record.next_steps == "2020 年，我局将严格加强资金管理。" and record.work_overview == ""
    client.post(url, {"action": "finalize", "next_steps": "2020 年，我局将严格加强资金管理。"})
    record.refresh_from_db()
    assert record.is_final and record.work_overview.startswith("2019 年，我局自评项目个数 3 个")
    page = client.get(reverse("reports:index"), {"department": yantai.pk, "year": 2019}).content.decode()
    assert "已定稿" in page and "撤销定稿" in page
    docx = client.get(reverse("reports:report_docx", args=[yantai.pk, 2019]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    client.post(url, {"action": "reopen"})
    record.refresh_from_db()
    assert not record.is_final
    # resetting one section keeps what was typed in the others
    client.post(
        url,
        {
            "action": "reset:work_overview",
            "work_overview": record.work_overview,
            "next_steps": "改后的措施。",
        },
    )
    record.refresh_from_db()
    assert record.work_overview == "" and record.next_steps == "改后的措施。"


def test_a_package_is_built_from_the_page_and_downloaded(
    client_for, yantai, media, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for("shenhe_yantai")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:package_create"), {"target": f"department:{yantai.pk}", "year": "2019"}
        )
    assert response.status_code == 302
    package = ReportPackage.objects.get()
    status = client.get(reverse("reports:package_status", args=[package.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["project_count"] == 3
    assert status["download_url"] == reverse("reports:package_download", args=[package.pk])
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert "烟台市医疗保障局_2019年度_绩效自评材料/2019年度/01_部门预算项目绩效自评情况汇总表.xlsx" in names
    page = client.get(reverse("reports:index"), {"department": yantai.pk, "year": 2019}).content.decode()
    assert "下载 ZIP" in page
    # another department's supervisor neither sees nor downloads it
    other = client_for("shenhe_qinghai")
    assert other.get(reverse("reports:package_status", args=[package.pk])).status_code == 404
    assert other.get(reverse("reports:package_download", args=[package.pk])).status_code == 404


def test_a_supervisor_cannot_build_a_region_package(client_for, yantai, media):
    client = client_for("shenhe_yantai")
    response = client.post(
        reverse("reports:package_create"), {"target": f"region:{yantai.region_id}", "year": ""}
    )
    assert response.status_code == 302 and not ReportPackage.objects.exists()
    response = client.post(reverse("reports:package_create"), {"target": "all", "year": ""})
    assert not ReportPackage.objects.exists()
    other = Department.objects.get(name="青海省医疗保障局")
    client.post(reverse("reports:package_create"), {"target": f"department:{other.pk}", "year": ""})
    assert not ReportPackage.objects.exists()


def test_a_failed_package_is_rebuilt_from_the_page_and_a_finished_one_is_left_alone(
    client_for, yantai, user, media, eager_tasks, django_capture_on_commit_callbacks
):
    package = ReportPackage.objects.create(
        scope="department",
        department=yantai,
        region=yantai.region,
        year=2019,
        created_by=user("shenhe_yantai"),
        status="failed",
        error="OSError: 磁盘已满",
    )
    url = reverse("reports:package_rebuild", args=[package.pk])
    assert client_for("shenhe_qinghai").post(url).status_code == 404
    client = client_for("shenhe_yantai")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url)
    assert response.status_code == 302 and len(callbacks) == 1  # queued on commit
    package.refresh_from_db()
    assert (package.status, package.progress, package.error) == ("done", 100, "")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(url).status_code == 302
    assert callbacks == []  # a finished package is not built again


def test_a_package_stuck_running_is_offered_a_rebuild_and_a_live_one_is_not(
    client_for, yantai, user, media, eager_tasks, django_capture_on_commit_callbacks, settings
):
    """#17: a worker crash left a package "生成中" for ever, and the rebuild button was for failed ones."""
    from datetime import timedelta

    from django.utils import timezone

    settings.REPORT_PACKAGE_STALE_MINUTES = 30
    package = ReportPackage.objects.create(
        scope="department",
        department=yantai,
        region=yantai.region,
        year=2019,
        created_by=user("shenhe_yantai"),
        status="running",
        progress=37,
        started_at=timezone.now() - timedelta(minutes=50),
        heartbeat_at=timezone.now() - timedelta(minutes=5),  # still making progress
    )
    client = client_for("shenhe_yantai")
    url = reverse("reports:package_rebuild", args=[package.pk])
    assert "可能已中断" not in client.get(reverse("reports:index")).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url)
    package.refresh_from_db()
    assert callbacks == [] and (package.status, package.progress) == ("running", 37)  # not raced

    ReportPackage.objects.filter(pk=package.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=45))
    page = client.get(reverse("reports:index")).content.decode()
    assert "可能已中断" in page and url in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url)
    package.refresh_from_db()
    assert len(callbacks) == 1 and package.status == "done" and package.file


def test_the_package_forms_years_are_read_as_distinct_years(demo, user):
    """One row a year, not one a project (the projects' ordering once made the distinct per project)."""
    from perfgoals.reports.forms import PackageForm
    from projects.scoping import visible_projects

    finance = user("caizheng_yantai")
    with CaptureQueriesContext(connection) as queries:
        form = PackageForm(finance)
    years = [year for year, _ in form.fields["year"].choices if year != ""]
    visible = {project.year for project in visible_projects(finance, Project.objects.all())}
    assert len(visible) > 1 and years == sorted(visible, reverse=True)
    [sql] = [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"] and '"year"' in q["sql"]]
    assert "projects_department" not in sql and "ORDER BY" not in sql
