"""Project.department and Project.region: the unit's department and region copied onto the project
(see projects.models), filled for the existing rows, indexed for the lists, and on PostgreSQL
guarded by composite foreign keys checked at commit."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

#: the database's safety net under the models' own bookkeeping: a project's (unit, department) must be
#: a unit's (id, department) and its (department, region) a department's (id, region). Checked at
#: commit, so that moving a unit or a department and its projects in one transaction passes.
COMPOSITE_KEYS = [
    ("project_unit_department_fk", "(unit_id, department_id)", "projects_unit (id, department_id)"),
    ("project_department_region_fk", "(department_id, region_id)", "projects_department (id, region_id)"),
]


def fill(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # checked now, not at commit: PostgreSQL refuses the ALTER TABLEs below while checks are pending
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Unit = apps.get_model("projects", "Unit")
    Department = apps.get_model("projects", "Department")
    for name in ("Project", "HistoricalProject"):
        model = apps.get_model("projects", name)
        model.objects.update(department_id=Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).values("department_id")))
        model.objects.update(region_id=Subquery(Department.objects.filter(pk=OuterRef("department_id")).values("region_id")))
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def add_composite_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the models keep the copies right; there is no ALTER TABLE … ADD CONSTRAINT
    for name, columns, target in COMPOSITE_KEYS:
        schema_editor.execute(
            f"ALTER TABLE projects_project ADD CONSTRAINT {name} FOREIGN KEY {columns} REFERENCES {target} "
            "DEFERRABLE INITIALLY DEFERRED"
        )


def drop_composite_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns, _target in COMPOSITE_KEYS:
        schema_editor.execute(f"ALTER TABLE projects_project DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="department",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="projects", to="projects.department", verbose_name="主管部门",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="region",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="projects", to="projects.region", verbose_name="地区",
            ),
        ),
        migrations.AddField(
            model_name="historicalproject",
            name="department",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="projects.department",
                verbose_name="主管部门",
            ),
        ),
        migrations.AddField(
            model_name="historicalproject",
            name="region",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="projects.region",
                verbose_name="地区",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="project",
            name="department",
            field=models.ForeignKey(
                db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="projects", to="projects.department", verbose_name="主管部门",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="region",
            field=models.ForeignKey(
                db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="projects", to="projects.region", verbose_name="地区",
            ),
        ),
        migrations.AlterModelOptions(
            name="project",
            options={"ordering": ["-year", "department__name", "name"], "verbose_name": "项目", "verbose_name_plural": "项目"},
        ),
        migrations.AddConstraint(
            model_name="department",
            constraint=models.UniqueConstraint(fields=("id", "region"), name="department_id_region"),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(fields=("id", "department"), name="unit_id_department"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["region", "year", "department"], name="project_region_year"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["department", "year"], name="project_department_year"),
        ),
        migrations.RunPython(add_composite_keys, drop_composite_keys),
    ]
