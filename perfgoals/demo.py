"""Load the seed documents (projects/seed_data/*.json) as real data, and, when asked, demo accounts.

The demo accounts all share one published password (DEMO_PASSWORD), so they are created only when the
caller asks for them (`load_demo(accounts=True)`, `manage.py load_demo --with-demo-accounts`) and only
where the settings allow it (DEMO_ACCOUNTS_ALLOWED, off in production): anywhere else the loader
refuses before writing anything. The organisations and projects load either way.

Loading is idempotent: organisations and accounts are looked up by name before being created, and
a project that already exists (same unit, year and name) is left exactly as it is, so running the
loader again never overwrites what users have entered since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from projects.choices import Role
from projects.models import Department, Membership, Project, Region, Unit
from projects.seed_data import schema

from .choices import Status
from .engine import vocabulary
from .project_years import BudgetLineData, IndicatorData, ProjectYearData, create_project_year
from .reports.models import ReportStyle
from .scoring import ensure_builtin_schemes

#: password of every demo account (documented in the README; change it anywhere that is not a demo)
DEMO_PASSWORD = "demo2024"

#: short latin keys for the demo accounts of each region
REGION_KEYS = {"烟台市": "yantai", "青海省": "qinghai", "招远市": "zhaoyuan", "威海市环翠区": "huancui"}


class DemoAccountsRefused(Exception):
    """Demo accounts were asked for where the settings forbid them (production)."""


#: why, in the words the command prints
REFUSAL = (
    "当前配置不允许创建演示账号（DEMO_ACCOUNTS_ALLOWED 为 False，生产环境即如此）："
    "演示账号的密码是公开的。请用 python manage.py createsuperuser 创建管理员，"
    "再在管理后台创建用户并分配角色；不带 --with-demo-accounts 可只载入演示项目。"
)


@dataclass
class LoadReport:
    """What one run of the loader did."""

    projects_created: int = 0
    projects_skipped: int = 0
    indicators_created: int = 0
    users_created: int = 0
    messages: list[str] = field(default_factory=list)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _level_codes(doc_vocabulary: str, level1_printed: str, level2_printed: str) -> tuple[str, str]:
    level1 = vocabulary.normalise_level1(level1_printed)
    level2 = vocabulary.normalise_level2(level2_printed, level1)
    if level2 is None:
        raise ValueError(f"无法识别的二级指标：{level2_printed!r}（一级指标 {level1_printed!r}）")
    if level1 is None:
        level1 = vocabulary.level1_of(level2)
    return level1, level2


def _project_data(doc: dict, data: dict) -> ProjectYearData:
    """The seed JSON of one project as the shared description of a project-year."""
    money = schema.money
    execution = data.get("execution") or {}
    is_selfeval = doc["form"] == "selfeval"
    indicators = []
    for ind in data["indicators"]:
        level1, level2 = _level_codes(doc["vocabulary"], ind["level1"], ind["level2"])
        indicators.append(
            IndicatorData(
                level1=level1,
                level2=level2,
                level1_printed=ind["level1"] or "",
                level2_printed=ind["level2"] or "",
                name=ind["name"],
                nature_printed=ind.get("nature") or "",
                unit_printed=ind.get("unit") or "",
                target_text=ind["target"] or "",
                actual_text=ind.get("actual") or "",
                weight=money(ind.get("weight")),
                reported_score=money(ind.get("printed_score")),
                band=ind.get("band") or "",
                deviation_note=ind.get("deviation_note") or "",
            )
        )
    return ProjectYearData(
        name=data["name"],
        year=doc["year"],
        fund_user=data.get("fund_user") or "",
        summary_name=data.get("summary_name") or "",
        project_type=data.get("project_type") or "",
        contact_phone=data.get("contact_phone") or "",
        long_term_goal=data.get("long_term_goal") or "",
        goal_text=data.get("goal_text") or "",
        goal_result_text=data.get("goal_result_text") or "",
        start_date=_date(data.get("start_date")),
        end_date=_date(data.get("end_date")),
        legal_basis=data.get("legal_basis") or "",
        government_procurement=data.get("government_procurement"),
        procurement_amount=money(data.get("procurement_amount")),
        total_budget=money(data.get("total_budget")),
        empty_level2=[
            list(_level_codes(doc["vocabulary"], l1, l2)) for l1, l2 in data.get("empty_level2") or []
        ],
        source=f"{doc['source']} · {doc['document']}",
        budget_lines=[
            BudgetLineData(
                source=line["source"],
                initial=money(line.get("initial")),
                annual=money(line.get("annual")),
                executed=money(line.get("executed")),
            )
            for line in data["budget_lines"]
        ],
        indicators=indicators,
        # the 2019 forms were published: their self-evaluation is complete and approved;
        # goal tables are approved targets waiting for the year's results
        status=Status.APPROVED if is_selfeval else Status.TARGETS_APPROVED,
        declared_level1_weights={
            vocabulary.normalise_level1(k): v for k, v in (data.get("level1_weights") or {}).items()
        },
        printed_execution_rate=money(execution.get("printed_rate")),
        printed_execution_score=money(execution.get("printed_score")),
        printed_total=money(data.get("printed_total")),
        printed_grade=_printed_grade(doc, data),
        low_score_explanation=data.get("low_score_explanation") or "",
    )


def _load_project(doc: dict, data: dict, unit: Unit, report: LoadReport) -> None:
    project_data = _project_data(doc, data)
    create_project_year(unit, project_data)
    report.indicators_created += len(project_data.indicators)
    report.projects_created += 1


def _printed_grade(doc: dict, data: dict) -> str:
    """The grade the summary table prints for this project (rows follow the forms' order)."""
    index = doc["projects"].index(data)
    rows = doc.get("summary_table") or []
    return rows[index]["grade"] if index < len(rows) else ""


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # hashing is deliberately slow; the demo accounts share one password, so hash it once
    return make_password(DEMO_PASSWORD)


def _ensure_user(username: str, display: str, report: LoadReport, **extra):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": display, "password": _demo_password_hash(), **extra}
    )
    report.users_created += created
    return user


def _ensure_membership(user, role: str, **scope) -> None:
    Membership.objects.get_or_create(user=user, role=role, **scope)


def load_demo(documents: list[dict] | None = None, *, accounts: bool = False) -> LoadReport:
    """Load every seed document and, with ``accounts``, the demo accounts; safe to run any number of
    times. Demo accounts where DEMO_ACCOUNTS_ALLOWED is off raise DemoAccountsRefused, before anything
    is written."""
    if accounts and not getattr(settings, "DEMO_ACCOUNTS_ALLOWED", False):
        raise DemoAccountsRefused(REFUSAL)
    with transaction.atomic():
        return _load(documents, accounts)


def _load(documents: list[dict] | None, accounts: bool) -> LoadReport:
    report = LoadReport()
    ensure_builtin_schemes()
    documents = schema.load_all() if documents is None else documents

    if accounts:
        admin = _ensure_user("admin", "系统管理员", report, is_staff=True, is_superuser=True)
        _ensure_membership(admin, Role.ADMIN)

    for doc in documents:
        region, _ = Region.objects.get_or_create(
            name=doc["region"], defaults={"finance_bureau": doc["finance_bureau"]}
        )
        department, _ = Department.objects.get_or_create(region=region, name=doc["department"])
        if doc.get("report_style"):
            # how the region prints its self-evaluation outputs; never overwrites a style edited since
            ReportStyle.objects.get_or_create(region=region, defaults=dict(doc["report_style"]))
        key = REGION_KEYS.get(doc["region"], f"region{region.pk}")
        if accounts:
            finance = _ensure_user(f"caizheng_{key}", f"{doc['finance_bureau']}审阅人", report)
            _ensure_membership(finance, Role.FINANCE, region=region)
            if key == "yantai":  # one third-party reviewer, engaged by 烟台's finance bureau for 复核
                third = _ensure_user("disanfang_yantai", "受托第三方评价机构复核员", report)
                _ensure_membership(third, Role.THIRD_PARTY, region=region)
            supervisor = _ensure_user(f"shenhe_{key}", f"{doc['department']}审核人", report)
            _ensure_membership(supervisor, Role.SUPERVISOR, department=department)

        for data in doc["projects"]:
            unit, _ = Unit.objects.get_or_create(
                department=department, name=data["unit"] or doc["department"]
            )
            if Project.objects.filter(unit=unit, year=doc["year"], name=data["name"]).exists():
                report.projects_skipped += 1
                continue
            _load_project(doc, data, unit, report)
        for row in doc.get("summary_table") or []:
            # the summary names a 资金使用单位 of its own (e.g. 烟台市医疗保障服务中心): keep it as a unit
            Unit.objects.get_or_create(department=department, name=row["unit"])

        if not accounts:
            continue
        for index, unit in enumerate(department.units.order_by("pk"), start=1):
            suffix = "" if index == 1 else str(index)
            user = _ensure_user(f"tianbao_{key}{suffix}", f"{unit.name}填报人", report)
            _ensure_membership(user, Role.UNIT_USER, unit=unit)
    return report
