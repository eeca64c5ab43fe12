"""The project page's 项目信息 block: the fields the goal tables print (长期目标, 立项依据, dates,
procurement, 项目总预算) and the links to the project's goal table in its region's layout. No query:
the project page loads the project with its region."""

from django import template

from ...reports import formatting as fmt
from ..layouts import choose, variants_for

register = template.Library()


@register.inclusion_tag("goaltables/_project_block.html", takes_context=True)
def goal_table_block(context, project):
    """``info_form``: the unit's form of these fields while the targets are a draft (the target stage's
    context has it only then), else nothing to edit."""
    region = project.unit.department.region.name
    layout = choose(region, project.year)
    procurement = {True: "是", False: "否"}.get(project.government_procurement, "")
    if procurement == "是" and project.procurement_amount is not None:
        procurement = f"是（政府采购金额 {fmt.money(project.procurement_amount)} 万元）"
    dates = ""
    if project.start_date or project.end_date:
        start = project.start_date.strftime("%Y.%m.%d") if project.start_date else "—"
        end = project.end_date.strftime("%Y.%m.%d") if project.end_date else "—"
        dates = f"{start} 至 {end}"
    fields = [
        ("项目类型", project.project_type),
        ("长期目标（实施期总体目标）", project.long_term_goal),
        ("立项依据及概况", project.legal_basis),
        ("项目立项时间 — 结束时间", dates),
        ("是否包含政府采购", procurement),
        ("项目总预算（万元）", fmt.money(project.total_budget)),
    ]
    return {
        "project": project,
        "fields": [(label, value) for label, value in fields if value],
        "missing": [label for label, value in fields if not value],
        "layout": layout,
        "variants": variants_for(region, project.year),
        "info_form": context.get("info_form"),
    }
