"""What the overview (``oversight``) shows of 整改: the follow-up signal "整改逾期" — items of the scoped
project-years still open after their deadline — registered by ``apps.py``."""

from __future__ import annotations

from django.db.models import Count

from ..oversight.signals import FollowUp
from .models import RectifyItem


def overdue_rows(projects):
    """(project, unit, department, overdue items) of the scoped projects with any: one grouped query."""
    return (
        RectifyItem.objects.overdue()
        .filter(project__in=projects.order_by().values("pk"))
        .order_by()
        .values_list("project_id", "project__unit_id", "project__department_id")
        .annotate(n=Count("pk"))
    )


OVERDUE = FollowUp(
    "overdue_rectify",
    "整改逾期",
    "审核、复核或监控中提出的整改事项已过整改期限仍未确认整改完毕（不计入风险分）。",
    overdue_rows,
    url_name="rectify:index",
    query="overdue=yes",
)
