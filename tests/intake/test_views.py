"""The upload → preview → confirm/cancel pages, the Celery path for large files, and who may do what."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from perfgoals.intake import tasks
from perfgoals.intake.models import BatchStatus, ImportBatch
from projects.models import Project

from .conftest import database_state, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["年度", "项目名称", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "分值"]
ROWS = [
    [2024, "医保政策宣传", "产出指标", "数量指标", "发放宣传资料", "≥", 2, "万册", 30],
    [None, None, None, "质量指标", "宣传覆盖率", None, "≥95%", None, 30],
    [None, None, "满意度指标", "服务对象满意度指标", "群众满意度", None, "≥90%", None, 30],
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, data: bytes, *, kind="goals", year="", name="目标表.xlsx"):
    return client.post(
        reverse("intake:index"),
        {"kind": kind, "year": year, "file": SimpleUploadedFile(name, data, content_type=XLSX)},
    )


@pytest.fixture
def unit_client(client, yantai, media, eager_tasks):
    client.force_login(yantai)
    return client


def test_the_import_page_needs_a_login(client):
    response = client.get(reverse("intake:index"))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize(
    ("username", "offered"),
    [
        ("tianbao_yantai", True),
        ("shenhe_yantai", False),
        ("caizheng_yantai", False),
        ("admin", False),
    ],
)
def test_the_navigation_offers_导入_to_unit_users_only(client, demo, username, offered):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    page = client.get(reverse("project_list")).content.decode()
    assert (f'href="{reverse("intake:index")}">导入</a>' in page) is offered


@pytest.mark.parametrize("username", ["shenhe_yantai", "caizheng_yantai", "admin"])
def test_supervisors_finance_and_admins_cannot_import_or_roll_over(client, demo, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    before = database_state()
    assert client.get(reverse("intake:index")).status_code == 403
    assert _upload(client, workbook_bytes([HEADER, *ROWS])).status_code == 403
    assert client.get(reverse("intake:rollover")).status_code == 403
    assert client.post(reverse("intake:rollover"), {"from_year": 2019, "to_year": 2020}).status_code == 403
    assert ImportBatch.objects.count() == 0
    assert database_state() == before


def test_upload_preview_confirm(unit_client, demo):
    before = database_state()
    response = _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("intake:batch", args=[batch.pk])
    assert batch.status == BatchStatus.PREVIEW and batch.progress == 100
    page = unit_client.get(response.url).content.decode()
    # each row as parsed: level, direction, value, unit, weight
    assert "发放宣传资料" in page and "万册" in page and "确认导入" in page
    row = batch.preview["projects"][0]["rows"][0]
    assert (row["level1"], row["level2"], row["direction"], row["value"], row["unit"], row["weight"]) == (
        "产出指标",
        "数量指标",
        "≥",
        "2",
        "万册",
        "30",
    )
    assert database_state() == before  # nothing written before the user confirms

    response = unit_client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE, batch.errors
    project = Project.objects.get(year=2024, name="医保政策宣传")
    assert project.evaluation.status == "draft" and project.indicators.count() == 3
    assert batch.result["created"] == [project.pk]
    # a second confirmation does nothing
    unit_client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    assert Project.objects.filter(name="医保政策宣传").count() == 1


def test_cancel_leaves_everything_as_it_was(unit_client, demo):
    before = database_state()
    _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    response = unit_client.post(reverse("intake:batch_cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert unit_client.post(reverse("intake:batch_confirm", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert database_state() == before


def test_a_file_that_is_not_excel_is_refused_on_the_form(unit_client, demo):
    before = database_state()
    response = _upload(unit_client, "年度,项目名称\n2024,甲\n".encode(), name="目标表.xlsx")
    assert response.status_code == 200
    assert "不是 Excel 工作簿（.xlsx）" in response.content.decode()
    assert ImportBatch.objects.count() == 0 and database_state() == before


def test_a_20_mb_upload_is_refused_with_the_limit(unit_client, demo):
    before = database_state()
    response = _upload(unit_client, b"PK\x03\x04" + bytes(20 * 1024 * 1024 - 4))
    assert "超过上限 10.0 MB" in response.content.decode()
    assert ImportBatch.objects.count() == 0 and database_state() == before


def test_errors_are_shown_with_sheet_row_and_column(unit_client, demo):
    before = database_state()
    rows = [
        HEADER,
        *ROWS,
        [2024, "医保政策宣传", "产出指标", "时效指标", "宣传及时率", None, "及时", None, "十"],
    ]
    response = _upload(unit_client, workbook_bytes(rows, title="目标"))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    page = unit_client.get(response.url).content.decode()
    assert "工作表「目标」第 5 行「分值」列（I5）：「十」不是数字。" in page
    assert "确认导入" not in page
    assert unit_client.post(reverse("intake:batch_confirm", args=[batch.pk])).status_code == 302
    assert database_state() == before


def test_another_units_project_is_refused_and_nothing_is_written(unit_client, demo):
    before = database_state()
    rows = [
        ["实施单位", *HEADER],
        [
            "青海省医疗保障局",
            2021,
            "医保基金监管经费",
            "产出指标",
            "数量指标",
            "购买设备数量",
            "≥",
            6,
            "台",
            5,
        ],
    ]
    response = _upload(unit_client, workbook_bytes(rows))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    assert "实施单位「青海省医疗保障局」不是您所在的单位" in unit_client.get(response.url).content.decode()
    assert database_state() == before


def test_someone_elses_batch_is_not_found(client, unit_client, demo):
    _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    from django.contrib.auth import get_user_model

    for username in ("tianbao_yantai2", "shenhe_yantai", "admin"):
        client.force_login(get_user_model().objects.get(username=username))
        assert client.get(reverse("intake:batch", args=[batch.pk])).status_code == 404
        assert client.get(reverse("intake:batch_progress", args=[batch.pk])).status_code == 404
        assert client.post(reverse("intake:batch_confirm", args=[batch.pk])).status_code == 404
        assert client.post(reverse("intake:batch_cancel", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW


def test_large_files_go_through_the_celery_tasks_with_progress(
    unit_client, demo, settings, django_capture_on_commit_callbacks
):
    settings.INTAKE_ASYNC_BYTES = 1  # every file counts as large
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    assert len(callbacks) == 1
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.PREVIEW
    progress = unit_client.get(reverse("intake:batch_progress", args=[batch.pk])).json()
    assert progress["status"] == "preview" and progress["progress"] == 100 and not progress["active"]
    assert unit_client.get(response.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unit_client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    assert len(callbacks) == 2  # the import, then (on its commit) the library rebuild
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    # a task delivered twice does nothing the second time
    assert tasks.import_batch.delay(batch.pk).get()["status"] == BatchStatus.DONE
    assert tasks.preview_batch.delay(batch.pk).get()["status"] == BatchStatus.DONE
    assert Project.objects.filter(name="医保政策宣传").count() == 1


def test_a_page_shows_progress_while_a_task_works(unit_client, demo):
    _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.IMPORTING, progress=42, progress_note="正在写入数据库"
    )
    page = unit_client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "正在写入数据库（42%）" in page


def test_an_interrupted_import_is_taken_up_again_by_the_task(unit_client, demo):
    """A worker that died mid-import left 'importing' and nothing written: the retry imports."""
    _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.IMPORTING)
    assert tasks.import_batch.delay(batch.pk).get()["status"] == BatchStatus.DONE
    assert Project.objects.filter(name="医保政策宣传").count() == 1


def test_templates_download_and_read_back_empty(unit_client, demo):
    for kind in ("goals", "results"):
        response = unit_client.get(reverse("intake:template", args=[kind]))
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        workbook = load_workbook(io.BytesIO(response.content))
        header = [c.value for c in workbook["绩效目标表"][1]]
        assert header[:10] == [
            "年度",
            "实施单位",
            "项目名称",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "度量单位",
            "分值",
        ]
        if kind == "results":
            assert header[10:12] == ["实际完成值", "偏差原因分析及改进措施"]
        assert "填写说明" in workbook.sheetnames
    assert unit_client.get(reverse("intake:template", args=["other"])).status_code == 404


def test_export_goes_through_the_scope(unit_client, demo):
    own = Project.objects.get(year=2019, name="困难群众医疗救助")
    other = Project.objects.get(name="医保基金监管经费")
    assert unit_client.get(reverse("intake:export"), {"project": other.pk}).status_code == 404
    response = unit_client.get(reverse("intake:export"), {"project": own.pk})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content))["绩效目标表"].iter_rows(values_only=True))
    assert {row[3] for row in rows[1:]} == {"困难群众医疗救助"}
    year = unit_client.get(reverse("intake:export"), {"year": 2021})
    names = {
        row[3]
        for row in load_workbook(io.BytesIO(year.content))["绩效目标表"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert "医保基金监管经费" not in names and "城乡居民医疗保险市级补助" in names


@pytest.mark.celery_worker
def test_a_batch_through_a_real_worker(celery_live_worker, settings, tmp_path):
    """Preview and import by a Celery worker on Redis, progress in the database (CI's Redis run)."""
    from django.contrib.auth import get_user_model

    from perfgoals import scoring as perf_services
    from perfgoals.intake import services
    from projects.choices import Role
    from projects.models import Department, Membership, Region, Unit

    settings.MEDIA_ROOT = tmp_path
    perf_services.ensure_builtin_schemes()
    region = Region.objects.create(name="测试市", finance_bureau="测试市财政局")
    unit = Unit.objects.create(
        department=Department.objects.create(region=region, name="测试市医保局"), name="测试市医保局"
    )
    user = get_user_model().objects.create(username="worker_test")
    Membership.objects.create(user=user, role=Role.UNIT_USER, unit=unit)
    batch = services.create_batch(
        user, SimpleUploadedFile("t.xlsx", workbook_bytes([HEADER, *ROWS])), kind="goals", year=None
    )

    assert tasks.preview_batch.delay(batch.pk).get(timeout=60)["status"] == BatchStatus.PREVIEW
    batch.refresh_from_db()
    assert services.confirm_batch(batch)
    assert tasks.import_batch.delay(batch.pk).get(timeout=60)["status"] == BatchStatus.DONE
    assert Project.objects.get(unit=unit, year=2024, name="医保政策宣传").indicators.count() == 3


def test_the_preview_shows_nature_and_value_apart_and_the_done_page_links_the_projects(unit_client, demo):
    """#16: the preview printed 指标性质 and 指标值 run together ("≥2"); after confirming, the page named
    how many projects were imported but linked none."""
    response = _upload(unit_client, workbook_bytes([HEADER, *ROWS]))
    batch = ImportBatch.objects.get()
    page = unit_client.get(response.url).content.decode()
    assert "<th>指标性质</th><th>指标值（原文）</th>" in page
    assert "<td>≥</td><td>2</td>" in page and "≥2" not in page.replace("≥2万", "")
    unit_client.post(reverse("intake:batch_confirm", args=[batch.pk]))
    project = Project.objects.get(year=2024, name="医保政策宣传")
    done = unit_client.get(reverse("intake:batch", args=[batch.pk]))
    html = done.content.decode()
    assert [p.pk for p in done.context["imported"]] == [project.pk]
    assert 'data-testid="imported-projects"' in html
    assert f'href="{reverse("perfgoals:project", args=[project.pk])}"' in html
