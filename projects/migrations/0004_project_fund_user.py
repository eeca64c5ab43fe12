"""Project.fund_user: the 资金使用单位 the department's summary table prints, blank = the implementing
unit (and on the history model). A text column with an empty default: no table rewrite on PostgreSQL."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_project_name_trigram'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalproject',
            name='fund_user',
            field=models.CharField(blank=True, help_text='汇总表中的资金使用单位；留空表示与实施单位相同。', max_length=100, verbose_name='资金使用单位'),
        ),
        migrations.AddField(
            model_name='project',
            name='fund_user',
            field=models.CharField(blank=True, help_text='汇总表中的资金使用单位；留空表示与实施单位相同。', max_length=100, verbose_name='资金使用单位'),
        ),
    ]
