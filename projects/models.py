"""Organisations, people's roles in them, and the budget projects they run.

The organisation tree is three explicit levels: a Region (the finance bureau's area) holds
Departments in charge (主管部门), which hold implementing Units (项目实施单位). A Project belongs to
one Unit. It also carries its unit's department and region (`Project.department`, `Project.region`),
copied so that a department's or a province's projects are one indexed column away, not two joins
over every project: the lists of a finance reviewer read 100,000 projects that way. The copies are
never edited; they are kept equal to the unit's by the models (`Project.save`, the project queryset's
`bulk_create` and `update`, `Unit.save` and `Department.save` moving their projects along in the same
transaction) and, on PostgreSQL, refused by the database otherwise: composite foreign keys
(unit, department) → Unit (id, department) and (department, region) → Department (id, region),
checked at commit (migration projects 0002).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Subquery, Sum
from simple_history.models import HistoricalRecords

from .choices import BudgetSource, Role

MONEY = {"max_digits": 14, "decimal_places": 4}  # 万元 to the yuan (0.0001 万元 = 1 元)


class Region(models.Model):
    """A finance bureau's area (烟台市, 青海省 …): what a finance reviewer reads."""

    name = models.CharField("地区", max_length=100, unique=True)
    finance_bureau = models.CharField("财政部门", max_length=100)

    class Meta:
        verbose_name = "地区（财政部门）"
        verbose_name_plural = verbose_name
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department in charge (主管部门 / 预算部门): reviews its units' self-evaluations."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name="地区"
    )
    name = models.CharField("主管部门", max_length=100)

    class Meta:
        verbose_name = "主管部门"
        verbose_name_plural = verbose_name
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_in_region"),
            # the target of the projects' composite foreign key (department, region) on PostgreSQL
            models.UniqueConstraint(fields=["id", "region"], name="department_id_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Saving a department that moved to another region moves its projects' region along."""
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            update_fields = kwargs.get("update_fields")
            if not adding and (
                update_fields is None or "region" in update_fields or "region_id" in update_fields
            ):
                Project.objects.filter(department_id=self.pk).exclude(region_id=self.region_id).update(
                    region_id=self.region_id
                )


class Unit(models.Model):
    """An implementing unit (项目实施单位 / 资金使用单位) under exactly one department.

    A department that carries out a project itself appears as a unit of the same name under itself.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="units", verbose_name="主管部门"
    )
    name = models.CharField("实施单位", max_length=100)

    class Meta:
        verbose_name = "实施单位"
        verbose_name_plural = verbose_name
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unit_unique_in_department"),
            # the target of the projects' composite foreign key (unit, department) on PostgreSQL
            models.UniqueConstraint(fields=["id", "department"], name="unit_id_department"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Saving a unit that moved to another department moves its projects' department and region
        along."""
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            update_fields = kwargs.get("update_fields")
            if not adding and (
                update_fields is None or "department" in update_fields or "department_id" in update_fields
            ):
                region = Department.objects.filter(pk=self.department_id).values("region_id")
                Project.objects.filter(unit_id=self.pk).exclude(department_id=self.department_id).update(
                    department_id=self.department_id, region_id=Subquery(region)
                )


class Membership(models.Model):
    """A user's role and the organisation it applies to.

    unit user → a unit; supervisor → a department; finance reviewer → a region; admin → none.
    The database refuses any other combination.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, verbose_name="地区")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, verbose_name="主管部门"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, verbose_name="实施单位")

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role=Role.UNIT_USER, unit__isnull=False, department__isnull=True, region__isnull=True)
                    | Q(
                        role=Role.SUPERVISOR, unit__isnull=True, department__isnull=False, region__isnull=True
                    )
                    | Q(role=Role.FINANCE, unit__isnull=True, department__isnull=True, region__isnull=False)
                    | Q(
                        role=Role.THIRD_PARTY,
                        unit__isnull=True,
                        department__isnull=True,
                        region__isnull=False,
                    )
                    | Q(role=Role.ADMIN, unit__isnull=True, department__isnull=True, region__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.department or self.region or "全部"
        return f"{self.user} · {self.get_role_display()} · {scope}"

    def clean(self) -> None:
        required = {
            Role.UNIT_USER: "unit",
            Role.SUPERVISOR: "department",
            Role.FINANCE: "region",
            Role.THIRD_PARTY: "region",
            Role.ADMIN: None,
        }.get(self.role)
        for field in ("unit", "department", "region"):
            value = getattr(self, f"{field}_id")
            if field == required and value is None:
                raise ValidationError({field: "该角色必须指定所属组织。"})
            if field != required and value is not None:
                raise ValidationError({field: "该角色不应指定此组织。"})


class ProjectGrant(models.Model):
    """Read access to one project for one user outside the organisation's roles: a third-party
    reviewer (第三方评价机构) engaged by the region's finance bureau sees only the projects assigned to
    it. Created and removed by the action that assigns the work (e.g. a 复核), which names itself in
    ``reason``; the scoping function reads it, so an assignment is the only way in."""

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="grants", verbose_name="项目"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_grants", verbose_name="用户"
    )
    reason = models.CharField("授权原因", max_length=100)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="授权人",
    )
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目查看授权"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user", "reason"], name="project_grant_once_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.project} · {self.reason}"


def organisation_of(unit_ids) -> dict[int, tuple[int, int]]:
    """unit id → (department id, region id), read from the database in one query (what a project's
    department and region must equal; the bulk paths set them from it)."""
    rows = Unit.objects.filter(pk__in=set(unit_ids)).values_list(
        "pk", "department_id", "department__region_id"
    )
    return {pk: (department_id, region_id) for pk, department_id, region_id in rows}


class ProjectQuerySet(models.QuerySet):
    """Keeps `Project.department` and `Project.region` equal to the unit's on the bulk paths too."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        organisation = organisation_of(obj.unit_id for obj in objs)
        for obj in objs:
            obj.department_id, obj.region_id = organisation[obj.unit_id]
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        fields = list(fields)
        if "unit" in fields or "unit_id" in fields:
            objs = list(objs)
            organisation = organisation_of(obj.unit_id for obj in objs)
            for obj in objs:
                obj.department_id, obj.region_id = organisation[obj.unit_id]
            fields += ["department", "region"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        unit = kwargs.get("unit", kwargs.get("unit_id"))
        if unit is not None and not ({"department", "department_id", "region", "region_id"} & kwargs.keys()):
            # a plain value (a unit or its id); an expression would need the same expression for both
            unit_id = unit.pk if isinstance(unit, Unit) else unit
            kwargs["department_id"], kwargs["region_id"] = organisation_of([unit_id])[unit_id]
        return super().update(**kwargs)


class Project(models.Model):
    """One budget project in one fiscal year (项目支出), with its goals and its fund lines."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="projects", verbose_name="实施单位")
    #: the unit's department and region, copied for the lists (see the module's docstring); never edited
    #: (indexed together with the year below, not alone)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name="主管部门",
        editable=False,
        db_index=False,
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name="地区",
        editable=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    name = models.CharField("项目名称", max_length=200)
    #: 资金使用单位 as the department's summary table (部门预算项目绩效自评情况汇总表) prints it, where it
    #: differs from the implementing unit (seed 001: 烟台市医疗保障服务中心 uses the funds of projects
    #: carried out by 烟台市医疗保障局); blank = the implementing unit. Plain text, not a Unit: the
    #: fund user need not be one of the system's units.
    fund_user = models.CharField(
        "资金使用单位",
        max_length=100,
        blank=True,
        help_text="汇总表中的资金使用单位；留空表示与实施单位相同。",
    )
    #: the name the department's 汇总表 and 绩效评价报告 print where it differs from the form's 项目名称
    #: (seed 001: 附件2 "职工长期护理保险市级财政补助" is "职工长期护理保险市级补助资金" in the summary and
    #: the report); blank = the project's name.
    summary_name = models.CharField(
        "汇总表项目名称",
        max_length=200,
        blank=True,
        help_text="汇总表和绩效评价报告中的项目名称；留空表示与自评表的项目名称相同。",
    )
    project_type = models.CharField("项目类型", max_length=100, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    long_term_goal = models.TextField("长期目标（实施期总体目标）", blank=True)
    goal_text = models.TextField("年度总体目标", blank=True)
    goal_result_text = models.TextField("目标实际完成情况", blank=True)
    start_date = models.DateField("项目立项时间", null=True, blank=True)
    end_date = models.DateField("项目结束时间", null=True, blank=True)
    legal_basis = models.TextField("立项依据及概况", blank=True)
    government_procurement = models.BooleanField("是否包含政府采购", null=True, blank=True)
    procurement_amount = models.DecimalField("政府采购金额（万元）", null=True, blank=True, **MONEY)
    total_budget = models.DecimalField("项目总预算（万元）", null=True, blank=True, **MONEY)
    empty_level2 = models.JSONField(
        "无指标的二级指标",
        default=list,
        blank=True,
        help_text="表中列出但填“无”的二级指标代码，打印时仍显示。",
    )
    source = models.CharField("数据来源", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(verbose_name="项目变更记录")

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = verbose_name
        ordering = ["-year", "department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="project_unique_per_unit_year"),
            models.CheckConstraint(
                name="project_year_plausible", condition=Q(year__gte=2000, year__lte=2100)
            ),
            models.CheckConstraint(
                name="project_amounts_not_negative",
                condition=(Q(total_budget__isnull=True) | Q(total_budget__gte=0))
                & (Q(procurement_amount__isnull=True) | Q(procurement_amount__gte=0)),
            ),
            models.CheckConstraint(
                name="project_dates_ordered",
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "unit"], name="project_year_unit"),
            # the lists of a province and of a department: the scope, its years (years_of), and its rows
            # counted by department (TwoStepPageMixin), index-only
            models.Index(fields=["region", "year", "department"], name="project_region_year"),
            models.Index(fields=["department", "year"], name="project_department_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def save(self, *args, **kwargs) -> None:
        """Sets the department and region from the unit (as stored) whenever the unit is written."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "unit" in update_fields or "unit_id" in update_fields:
            self.department_id, self.region_id = organisation_of([self.unit_id])[self.unit_id]
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "department", "region"}
        super().save(*args, **kwargs)

    @property
    def fund_user_name(self) -> str:
        """资金使用单位 as printed: the field, or the implementing unit's name when it is blank."""
        return self.fund_user.strip() or self.unit.name

    @property
    def summary_name_printed(self) -> str:
        """项目名称 as the 汇总表 and the report print it: the summary name, else the project's name."""
        return self.summary_name.strip() or self.name

    def budget_totals(self) -> dict[str, Decimal | None]:
        """年度资金总额: the sum of the fund lines (initial, annual, executed).

        Uses prefetched lines when present, so list pages do not query once per row.
        """
        lines = list(self.budget_lines.all())
        totals: dict[str, Decimal | None] = {}
        for field in ("initial", "annual", "executed"):
            values = [getattr(line, field) for line in lines if getattr(line, field) is not None]
            totals[field] = sum(values, Decimal(0)) if values else None
        return totals


class BudgetLine(models.Model):
    """One fund source of a project's budget (当年财政拨款 / 上年结转 / 其他资金), in 万元."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name="项目"
    )
    source = models.CharField("资金来源", max_length=20, choices=BudgetSource.choices)
    initial = models.DecimalField("年初预算数", null=True, blank=True, **MONEY)
    annual = models.DecimalField("全年预算数（A）", null=True, blank=True, **MONEY)
    executed = models.DecimalField("全年执行数（B）", null=True, blank=True, **MONEY)
    history = HistoricalRecords(verbose_name="预算变更记录")

    class Meta:
        verbose_name = "预算资金"
        verbose_name_plural = verbose_name
        ordering = ["project", "source"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="budget_line_unique_source"),
            models.CheckConstraint(
                name="budget_line_not_negative",
                condition=(Q(initial__isnull=True) | Q(initial__gte=0))
                & (Q(annual__isnull=True) | Q(annual__gte=0))
                & (Q(executed__isnull=True) | Q(executed__gte=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"


def project_budget_totals(projects) -> dict[int, dict[str, Decimal | None]]:
    """Budget totals for many projects in one query (for lists and reports)."""
    rows = (
        BudgetLine.objects.filter(project__in=projects)
        .values("project_id")
        .annotate(initial=Sum("initial"), annual=Sum("annual"), executed=Sum("executed"))
    )
    return {row.pop("project_id"): row for row in rows}
