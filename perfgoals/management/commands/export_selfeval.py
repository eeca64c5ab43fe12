"""Write a department's annual self-evaluation outputs to a directory (the files of a package).

    python manage.py export_selfeval --department 烟台市医疗保障局 --year 2019 --out DIR

An operator's command: it reads every project of the department (no user scope applies on the
server's command line). Re-running it overwrites the same files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.management.departments import add_department_arguments, find_department
from perfgoals.reports import packages, wording
from perfgoals.reports.data import department_projects, department_year
from projects.models import Project


class Command(BaseCommand):
    help = "导出主管部门年度绩效自评材料：汇总表、绩效评价报告、各项目自评表（Excel、Word、HTML）。"

    def add_arguments(self, parser):
        add_department_arguments(parser, "烟台市医疗保障局")
        parser.add_argument("--out", required=True, help="输出目录（不存在则创建）")

    def handle(self, *args, **options):
        department, year = find_department(options), options["year"]
        projects = department_projects(Project.objects.all(), department, year)
        if not projects.exists():
            raise CommandError(f"{department.name} {year} 年度没有项目。")
        dy = department_year(department, year, projects)
        text = wording.report_text(dy)
        out = Path(options["out"])
        written = 0
        for relative, data in packages.department_files(dy, text):
            path = out / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, packages.StoredFile):  # an evidence file, copied from the storage
                with data.open() as source, path.open("wb") as target:
                    shutil.copyfileobj(source, target, 1024 * 1024)
            else:
                path.write_bytes(data)
            written += 1
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {path}")
        notes = []
        if dy.incomplete:
            notes.append(f"{len(dy.incomplete)} 个项目尚未完成评分")
        if not text.is_final:
            notes.append("报告尚未定稿")
        suffix = f"（注意：{'；'.join(notes)}）" if notes else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"已写出 {dy.report_title} 等 {written} 个文件，{len(dy.forms)} 个项目 → {out}{suffix}"
            )
        )
