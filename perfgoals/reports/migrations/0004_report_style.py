"""ReportStyle: how a region prints its 自评材料 (reports.style), with its history."""

import django.db.models.deletion
import perfgoals.reports.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0005_third_party'),
        ('reports', '0003_package_build'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalReportStyle',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('form_title', models.CharField(default='项目支出绩效自评表', help_text='如“市级预算项目支出绩效自评表”。', max_length=100, verbose_name='自评表标题')),
                ('attachment_numbers', models.BooleanField(default=False, help_text='每张自评表上方打印“附件 N”。', verbose_name='打印附件编号')),
                ('total_row_grade', models.BooleanField(default=True, help_text='不勾选时总分行只打印总分。', verbose_name='总分行打印自评等级')),
                ('scores', models.CharField(choices=[('two_places', '保留两位小数（100.00）'), ('as_printed', '按原样（100、9.5）')], default='two_places', max_length=20, verbose_name='得分打印方式')),
                ('empty_category_text', models.CharField(blank=True, default='无', help_text='二级指标下没有三级指标时三级指标栏打印的文字，可留空。', max_length=20, verbose_name='无指标二级指标的文字')),
                ('blank_undeclared_level1', models.BooleanField(default=False, help_text='原表未打印一级指标（及其分值）时，一级指标栏留空。', verbose_name='未列分值的一级指标留空')),
                ('sections', models.JSONField(default=perfgoals.reports.models._default_sections, help_text='[[字段, 标题], …]，字段可选 work_overview、results_overview、problems、next_steps。', verbose_name='绩效评价报告结构')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='修改时间')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('region', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.region', verbose_name='地区')),
            ],
            options={
                'verbose_name': '自评材料版式变更记录',
                'verbose_name_plural': 'historical 自评材料版式',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ReportStyle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('form_title', models.CharField(default='项目支出绩效自评表', help_text='如“市级预算项目支出绩效自评表”。', max_length=100, verbose_name='自评表标题')),
                ('attachment_numbers', models.BooleanField(default=False, help_text='每张自评表上方打印“附件 N”。', verbose_name='打印附件编号')),
                ('total_row_grade', models.BooleanField(default=True, help_text='不勾选时总分行只打印总分。', verbose_name='总分行打印自评等级')),
                ('scores', models.CharField(choices=[('two_places', '保留两位小数（100.00）'), ('as_printed', '按原样（100、9.5）')], default='two_places', max_length=20, verbose_name='得分打印方式')),
                ('empty_category_text', models.CharField(blank=True, default='无', help_text='二级指标下没有三级指标时三级指标栏打印的文字，可留空。', max_length=20, verbose_name='无指标二级指标的文字')),
                ('blank_undeclared_level1', models.BooleanField(default=False, help_text='原表未打印一级指标（及其分值）时，一级指标栏留空。', verbose_name='未列分值的一级指标留空')),
                ('sections', models.JSONField(default=perfgoals.reports.models._default_sections, help_text='[[字段, 标题], …]，字段可选 work_overview、results_overview、problems、next_steps。', verbose_name='绩效评价报告结构')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                ('region', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='report_style', to='projects.region', verbose_name='地区')),
            ],
            options={
                'verbose_name': '自评材料版式',
                'verbose_name_plural': '自评材料版式',
            },
        ),
    ]
