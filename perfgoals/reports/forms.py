"""Forms of the report page: the report's wording and the choice of a package to build."""

from __future__ import annotations

from django import forms

from projects.models import Project
from projects.scoping import visible_projects

from . import access
from .actions import SECTION_MAX_CHARS
from .models import SECTIONS


class ReportTextForm(forms.Form):
    """The sections of the 绩效评价报告 as the department words them (the region's, see reports.style)."""

    work_overview = forms.CharField(label=SECTIONS["work_overview"], required=False, widget=forms.Textarea)
    results_overview = forms.CharField(
        label=SECTIONS["results_overview"], required=False, widget=forms.Textarea
    )
    problems = forms.CharField(label=SECTIONS["problems"], required=False, widget=forms.Textarea)
    next_steps = forms.CharField(
        label=SECTIONS["next_steps"],
        required=False,
        widget=forms.Textarea,
        help_text="由主管部门填写：下一年度改进绩效管理、提高资金使用效益的具体措施。",
    )

    def __init__(self, *args, readonly: bool = False, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections is not None:
            # the region's sections only (reports.style), with its headings, in its order
            headings = dict(sections)
            self.fields = {name: self.fields[name] for name in headings if name in self.fields}
            for name, field in self.fields.items():
                field.label = headings[name]
        initial = kwargs.get("initial") or {}
        for name, field in self.fields.items():
            # tall enough for the text (about 60 characters a line on the page), never tiny
            text = initial.get(name) or ""
            lines = sum(len(line) // 60 + 1 for line in text.split("\n")) if text else 0
            # the browser stops typing at the limit; actions.save_report_text refuses anything longer
            field.widget.attrs.update({"rows": min(max(lines + 1, 5), 24), "maxlength": SECTION_MAX_CHARS})
            if readonly:
                field.widget.attrs["readonly"] = True


class PackageForm(forms.Form):
    """What a package covers: one department, one region, or (administrators) everything; one year
    or all years. The choices are the user's report scope only."""

    target = forms.ChoiceField(label="范围")
    year = forms.TypedChoiceField(label="年度", coerce=int, empty_value=None, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.departments = {d.pk: d for d in access.report_departments(user).order_by("region__name", "name")}
        self.regions = {r.pk: r for r in access.report_regions(user).order_by("name")}
        choices = [(f"department:{pk}", f"{d.region.name} · {d.name}") for pk, d in self.departments.items()]
        choices += [(f"region:{pk}", f"{r.name}（全地区）") for pk, r in self.regions.items()]
        if access.is_admin(user):
            choices.append(("all", "全部地区"))
        self.fields["target"].choices = choices
        # distinct years only: without order_by() the projects' own ordering (department, name) made
        # the distinct one row per project — 100,000 rows for a province's finance bureau
        years = sorted(
            visible_projects(user, Project.objects.order_by()).values_list("year", flat=True).distinct(),
            reverse=True,
        )
        self.fields["year"].choices = [("", "全部年度"), *[(year, f"{year} 年度") for year in years]]

    def clean_target(self):
        value = self.cleaned_data["target"]
        kind, _, pk = value.partition(":")
        if kind == "department" and pk.isdigit() and int(pk) in self.departments:
            return {"department": self.departments[int(pk)]}
        if kind == "region" and pk.isdigit() and int(pk) in self.regions:
            return {"region": self.regions[int(pk)]}
        if value == "all" and access.is_admin(self.user):
            return {}
        raise forms.ValidationError("请选择可生成的范围。")
