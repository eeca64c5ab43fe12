"""Project.summary_name: the name the 汇总表 and the report print, blank = the name (and on the history model)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0005_third_party'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalproject',
            name='summary_name',
            field=models.CharField(blank=True, help_text='汇总表和绩效评价报告中的项目名称；留空表示与自评表的项目名称相同。', max_length=200, verbose_name='汇总表项目名称'),
        ),
        migrations.AddField(
            model_name='project',
            name='summary_name',
            field=models.CharField(blank=True, help_text='汇总表和绩效评价报告中的项目名称；留空表示与自评表的项目名称相同。', max_length=200, verbose_name='汇总表项目名称'),
        ),
    ]
