"""The library key drops 的, brackets and separating punctuation (issue #16): the recorded spellings
get their new keys here; the entries themselves merge at the next full rebuild (nightly, or
``manage.py build_indicator_library``)."""

from django.db import migrations, models


def rekey_names(apps, schema_editor):
    from perfgoals.intake.library import name_key

    LibraryName = apps.get_model("intake", "LibraryName")
    changed = []
    for row in LibraryName.objects.all().iterator():
        key = name_key(row.name)
        if key != row.name_key:
            row.name_key = key
            changed.append(row)
    LibraryName.objects.bulk_update(changed, ["name_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_library_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="libraryindicator",
            name="name_key",
            field=models.CharField(
                help_text=(
                    "去掉序号、空白、“的”字与括号、顿号等标点后的指标名称，"
                    "用于合并同名指标（如“参保人员的满意度”与“参保人员满意度”）。"
                ),
                max_length=300,
                verbose_name="检索键",
            ),
        ),
        migrations.RunPython(rekey_names, migrations.RunPython.noop),
    ]
