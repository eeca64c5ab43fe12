"""python manage.py overview --region NAME [--department NAME] --year Y [--json]

The figures of the overview page (/overview/) for a region or one of its departments, for scheduled
reports: projects, by_status (status code → count), by_grade (优/良/中/差 → count), mean_score,
median_score, full_marks_share, completeness, reported_minus_computed, signals (signal code → number
of evaluations showing it), departments (name, projects, submitted, approved, mean_score, flagged,
reported_minus_computed) and the flagged evaluations with their reasons. Decimals are strings.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from perfgoals.choices import Status
from perfgoals.oversight import scope as scopes
from perfgoals.oversight.figures import overview
from projects.models import Department, Region


class Command(BaseCommand):
    help = "打印一个地区（或其中一个主管部门）某年度的绩效总览数字（--json 输出 JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="地区名称，如 烟台市")
        parser.add_argument("--department", help="主管部门名称（可选）")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        region = Region.objects.filter(name=options["region"]).first()
        if region is None:
            raise CommandError(f"没有名为“{options['region']}”的地区。")
        department = None
        if options.get("department"):
            department = Department.objects.filter(region=region, name=options["department"]).first()
            if department is None:
                raise CommandError(f"{region.name}没有名为“{options['department']}”的主管部门。")
        try:
            scope = scopes.for_region(region, options["year"], department)
        except Http404 as missing:
            raise CommandError(f"{region.name}{options['year']} 年度没有项目（{missing}）。") from None
        figures = overview(scope.projects, scope.year, scope.level)
        data = {"region": region.name, "department": department.name if department else None}
        data.update(figures.as_json())
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        labels = dict(Status.choices)
        self.stdout.write(f"{scope.title}：{figures.projects} 个项目")
        for code, count in data["by_status"].items():
            self.stdout.write(f"  {labels[code]}：{count}")
        self.stdout.write(f"  平均分 {data['mean_score'] or '—'}，中位数 {data['median_score'] or '—'}")
        for row in data["departments"]:
            self.stdout.write(
                f"  {row['name']}：{row['projects']} 个项目，已提交 {row['submitted']}，已审核 {row['approved']}，"
                f"平均分 {row['mean_score'] or '—'}，需关注 {row['flagged']}"
            )
