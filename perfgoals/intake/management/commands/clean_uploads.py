"""Delete uploaded workbooks kept longer than the retention period; the import batches stay.

    python manage.py clean_uploads [--days N] [--dry-run]

Removes the stored files of batches finished (imported, cancelled, failed, refused) or left at the
preview more than N days ago (default ``settings.IMPORT_UPLOAD_RETENTION_DAYS``, 30); batches still
being parsed or imported are never touched. See ``perfgoals.intake.batches.clean_uploads``. The
Celery task ``intake.clean_uploads`` does the same, daily under Celery beat.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from perfgoals.intake import services
from perfgoals.intake.models import ImportBatch


class Command(BaseCommand):
    help = "删除超过保留期限的导入上传文件（导入批次记录及其预览、结果保留）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留天数：已结束或放弃预览超过该天数的批次，删除其上传文件；"
            "默认取设置 IMPORT_UPLOAD_RETENTION_DAYS"
            f"（当前 {services.retention_days()} 天）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出将要删除的文件，不做任何改动")

    def handle(self, *args, **options):
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days 至少为 1 天。")
        report = services.clean_uploads(days=days, dry_run=options["dry_run"])
        if options["verbosity"] >= 2 or options["dry_run"]:
            batches = ImportBatch.objects.filter(pk__in=report.removed).select_related("user").order_by("pk")
            for batch in batches:
                self.stdout.write(
                    f"  批次 {batch.pk}：{batch.original_name}（{batch.get_status_display()}，"
                    f"{batch.user.username}，{batch.size} 字节）"
                )
        for pk, reason in report.failed:
            self.stderr.write(f"  批次 {pk} 的文件删除失败：{reason}")
        style = self.style.WARNING if report.failed else self.style.SUCCESS
        self.stdout.write(style(("（试运行，未删除任何文件）" if report.dry_run else "") + report.text()))
