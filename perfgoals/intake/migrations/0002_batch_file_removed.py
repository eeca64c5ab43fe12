"""ImportBatch.file_removed_at: when the uploaded workbook was deleted after the retention period
(services.clean_uploads); the file field may then be empty."""

import perfgoals.intake.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='importbatch',
            name='file_removed_at',
            field=models.DateTimeField(blank=True, help_text='上传的文件超过保留期限后被删除的时间；批次记录保留。', null=True, verbose_name='文件清理时间'),
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='file',
            field=models.FileField(blank=True, help_text='超过保留期限清理后为空（见“文件清理时间”）。', max_length=300, upload_to=perfgoals.intake.models._upload_to, verbose_name='文件'),
        ),
    ]
