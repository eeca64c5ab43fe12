"""python manage.py import_workbook FILE.xlsx [--dry-run]: the same checks from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from projects.models import Project

from .conftest import database_state, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["年度", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
ROWS = [
    [2024, "烟台市医疗保障局", "参保扩面", "产出指标", "数量指标", "新增参保人数", "≥2万人", 50],
    [2024, "烟台市医疗保障局", "参保扩面", "满意度指标", "服务对象满意度指标", "参保人满意度", "≥90%", 50],
]


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "goals.xlsx"
    path.write_bytes(workbook_bytes([HEADER, *ROWS]))
    return path


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_workbook", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_shows_the_preview_and_writes_nothing(demo, good_file):
    before = database_state()
    out, _ = _run(good_file, "--dry-run", "-v", "2")
    assert "新建 1" in out and "新增参保人数：≥2万人，分值 50" in out and "--dry-run" in out
    assert database_state() == before


def test_import_as_the_system_and_as_a_user(demo, good_file):
    out, _ = _run(good_file)
    assert "导入完成：新建项目 1 个，指标 2 条。" in out
    project = Project.objects.get(year=2024, name="参保扩面")
    assert project.unit.name == "烟台市医疗保障局"
    # the same file again, as the unit's user: the project is a draft, so it is replaced
    out, _ = _run(good_file, "--user", "tianbao_yantai")
    assert "导入完成：覆盖草稿项目 1 个，指标 2 条。" in out
    assert Project.objects.filter(year=2024, name="参保扩面").count() == 1


def test_a_user_of_another_unit_gets_the_scope_error(demo, good_file):
    before = database_state()
    with pytest.raises(CommandError, match="1 个错误"):
        _run(good_file, "--user", "tianbao_qinghai")
    assert database_state() == before


def test_supervisors_cannot_import_from_the_command_line_either(demo, good_file):
    with pytest.raises(CommandError, match="不是实施单位填报人"):
        _run(good_file, "--user", "shenhe_yantai")


def test_errors_are_printed_with_their_place_and_nothing_is_written(demo, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes([HEADER, [*ROWS[0][:7], "五十"]]))
    before = database_state()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), stdout=io.StringIO(), stderr=err)
    assert "工作表「Sheet1」第 2 行「分值」列（H2）：「五十」不是数字。" in err.getvalue()
    assert database_state() == before


def test_json_preview(demo, good_file):
    import json

    out, _ = _run(good_file, "--dry-run", "--json")
    preview = json.loads(out[: out.rindex("}") + 1])
    assert preview["summary"]["created"] == 1
    assert preview["projects"][0]["rows"][0]["direction"] == "≥"
