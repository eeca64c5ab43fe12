"""Project.department and Project.region are copies of the unit's department and region (for the
lists): every path that creates or moves projects keeps them equal, and on PostgreSQL the database
refuses a row that disagrees."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from perfgoals import project_years
from perfgoals.intake import services as intake
from projects.models import Department, Project, Region, Unit

pytestmark = pytest.mark.django_db


def disagreeing() -> list[int]:
    """Projects whose copies differ from their unit's department and region."""
    return list(
        Project.objects.filter(
            ~Q(department_id=F("unit__department_id")) | ~Q(region_id=F("unit__department__region_id"))
        ).values_list("pk", flat=True)
    )


@pytest.fixture
def tree():
    north = Region.objects.create(name="北市", finance_bureau="北市财政局")
    south = Region.objects.create(name="南市", finance_bureau="南市财政局")
    health = Department.objects.create(region=north, name="北市卫健委")
    water = Department.objects.create(region=north, name="北市水利局")
    unit = Unit.objects.create(department=health, name="北市疾控中心")
    return {"north": north, "south": south, "health": health, "water": water, "unit": unit}


def test_the_demo_data_agree(demo):
    assert Project.objects.exists() and disagreeing() == []


def test_create_save_and_bulk_create_set_the_copies(tree):
    one = Project.objects.create(unit=tree["unit"], year=2024, name="项目一")
    assert (one.department_id, one.region_id) == (tree["health"].pk, tree["north"].pk)
    many = Project.objects.bulk_create(
        [Project(unit=tree["unit"], year=2024, name=f"批量{i}") for i in range(3)]
    )
    assert {(p.department_id, p.region_id) for p in many} == {(tree["health"].pk, tree["north"].pk)}
    other = Unit.objects.create(department=tree["water"], name="北市水文站")
    one.unit = other
    one.save(update_fields=["unit"])  # the copies are written with the unit
    Project.objects.filter(pk=many[0].pk).update(unit=other)
    assert disagreeing() == []
    assert Project.objects.filter(department=tree["water"]).count() == 2


def test_the_services_and_the_rollover_set_the_copies(tree, demo):
    yantai = get_user_model().objects.get(username="tianbao_yantai")
    data = project_years.ProjectYearData(year=2024, name="服务创建", status="draft")
    project = project_years.create_project_year(tree["unit"], data)
    assert project.department_id == tree["health"].pk
    project_years.replace_project_year(project, data)
    intake.rollover(
        intake.Actor(yantai), list(Project.objects.filter(year=2019).values_list("pk", flat=True)), 2020
    )
    assert Project.objects.filter(year=2020).exists() and disagreeing() == []


def test_an_imported_workbook_sets_the_copies(demo, tmp_path):
    header = ["年度", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标值", "分值"]
    rows = [[2024, "烟台市医疗保障局", "参保扩面", "产出指标", "数量指标", "新增参保人数", "≥2万人", 100]]
    workbook = openpyxl.Workbook()
    for row in [header, *rows]:
        workbook.active.append(row)
    path = tmp_path / "goals.xlsx"
    workbook.save(path)
    call_command("import_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    imported = Project.objects.get(name="参保扩面", year=2024)
    assert imported.department.name == "烟台市医疗保障局" and disagreeing() == []


def test_moving_a_unit_or_a_department_moves_its_projects(tree):
    project = Project.objects.create(unit=tree["unit"], year=2024, name="项目一")
    unit = tree["unit"]
    unit.department = tree["water"]
    unit.save()
    project.refresh_from_db()
    assert (project.department_id, project.region_id) == (tree["water"].pk, tree["north"].pk)
    water = tree["water"]
    water.region = tree["south"]
    water.save(update_fields=["region"])
    project.refresh_from_db()
    assert project.region_id == tree["south"].pk and disagreeing() == []


def test_a_failed_move_moves_nothing(tree):
    """The unit's row and its projects' rows change in one transaction, or neither does."""
    project = Project.objects.create(unit=tree["unit"], year=2024, name="项目一")
    Unit.objects.create(department=tree["water"], name=tree["unit"].name)  # the name is taken there
    unit = tree["unit"]
    unit.department = tree["water"]
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()
    project.refresh_from_db()
    assert project.department_id == tree["health"].pk and disagreeing() == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="composite foreign keys exist on PostgreSQL only"
)
@pytest.mark.parametrize("column", ["department_id", "region_id"])
def test_postgresql_refuses_a_copy_that_disagrees(tree, column):
    project = Project.objects.create(unit=tree["unit"], year=2024, name="项目一")
    wrong = tree["water"].pk if column == "department_id" else tree["south"].pk
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE projects_project SET {column} = %s WHERE id = %s", [wrong, project.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as at commit
