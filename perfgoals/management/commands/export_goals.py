"""Write a department's goal tables (绩效目标表) of a year, in its region's published layout.

    python manage.py export_goals --department 青海省医疗保障局 --year 2021 --out DIR \
        [--variant 专项资金] [--project NAME ...]

Writes DIR/<year>年度<department><kind>绩效目标表.xlsx (one sheet a project, or the department's one
公开表 where the region publishes it so). An operator's command: every project of the department,
no user scope. Re-running it overwrites the file.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfgoals.goaltables import tables
from perfgoals.goaltables.layouts import LayoutNotFound
from perfgoals.management.departments import add_department_arguments, find_department
from projects.models import Project


class Command(BaseCommand):
    help = "按地区公开格式导出主管部门某年度的项目支出绩效目标表（Excel，A4）。"

    def add_arguments(self, parser):
        add_department_arguments(parser, "青海省医疗保障局")
        parser.add_argument("--out", required=True, help="输出目录（不存在则创建）")
        parser.add_argument("--variant", default="", help="地区的其他格式，如 专项资金（招远市）")
        parser.add_argument(
            "--project", action="append", default=[], help="只导出这些项目（项目名称，可重复给出）"
        )

    def handle(self, *args, **options):
        department, year = find_department(options), options["year"]
        projects = Project.objects.filter(department=department, year=year)
        if not projects.exists():
            raise CommandError(f"{department.name} {year} 年度没有项目。")
        if options["project"]:
            wanted = set(options["project"])
            missing = wanted - set(projects.filter(name__in=wanted).values_list("name", flat=True))
            if missing:
                raise CommandError(f"{department.name} {year} 年度没有项目：{'、'.join(sorted(missing))}。")
            projects = projects.filter(name__in=wanted)
        try:
            goal_tables = tables.for_department_year(department, year, projects, options["variant"].strip())
        except LayoutNotFound as exc:
            raise CommandError(str(exc)) from None
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{tables.file_name(goal_tables.title)}.xlsx"
        path.write_bytes(goal_tables.workbook())
        self.stdout.write(
            self.style.SUCCESS(
                f"已写出 {goal_tables.title}（{goal_tables.layout.description}），"
                f"{projects.count()} 个项目，{len(goal_tables.pages)} 张表 → {path}"
            )
        )
