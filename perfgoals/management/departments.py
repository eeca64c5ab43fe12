"""The department an operator's command names: `--department NAME [--region NAME] --year YEAR`.

Shared by `export_goals` and `export_selfeval`, so both refuse an unknown or ambiguous name with the
same Chinese message.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from projects.models import Department


def add_department_arguments(parser, example: str) -> None:
    parser.add_argument("--department", required=True, help=f"主管部门名称，如 {example}")
    parser.add_argument("--year", required=True, type=int, help="年度，如 2019")
    parser.add_argument("--region", help="地区名称（同名部门在多个地区时必填）")


def find_department(options: dict) -> Department:
    """The one department `--department` (and `--region`) names, or a CommandError in Chinese."""
    departments = Department.objects.select_related("region").filter(name=options["department"])
    if options.get("region"):
        departments = departments.filter(region__name=options["region"])
    found = list(departments)
    if not found:
        raise CommandError(f"没有名为“{options['department']}”的主管部门。")
    if len(found) > 1:
        regions = "、".join(d.region.name for d in found)
        raise CommandError(f"“{options['department']}”在多个地区（{regions}）都有，请用 --region 指定。")
    return found[0]
