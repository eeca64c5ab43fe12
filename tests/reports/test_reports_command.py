"""python manage.py export_selfeval writes the files of a department-year."""

import pytest
from conftest import open_xlsx
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_export_writes_summary_report_and_forms(demo, tmp_path):
    call_command(
        "export_selfeval", department="烟台市医疗保障局", year=2019, out=str(tmp_path), skip_checks=True
    )
    files = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert files == sorted(
        [
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
        ]
    )
    summary = open_xlsx((tmp_path / "01_部门预算项目绩效自评情况汇总表.xlsx").read_bytes()).active
    assert [(summary.cell(r, 4).value, summary.cell(r, 5).value) for r in (4, 5, 6)] == [(100, "优")] * 3


def test_unknown_department_or_year_is_an_error(demo, tmp_path):
    with pytest.raises(CommandError, match="没有名为"):
        call_command(
            "export_selfeval", department="不存在的局", year=2019, out=str(tmp_path), skip_checks=True
        )
    with pytest.raises(CommandError, match="没有项目"):
        call_command(
            "export_selfeval", department="烟台市医疗保障局", year=2030, out=str(tmp_path), skip_checks=True
        )
