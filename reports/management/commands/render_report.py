from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.pdf import ReportPrintError, render_report_pdf
from strategy.models import Plan


class Command(BaseCommand):
    help = (
        "計画の報告書（全重点課題の3ページ）を PDF に出力します。"
        "例: render_report sasebo-r7 out.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("out")

    def handle(self, *args, slug, out, **options):
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"計画が見つかりません: {slug}")
        try:
            pdf = render_report_pdf(plan)
        except ReportPrintError as exc:
            raise CommandError(f"PDF を作成できませんでした: {exc}") from exc
        Path(out).write_bytes(pdf)
        self.stdout.write(f"{out} に書き出しました（{len(pdf):,} バイト）")
