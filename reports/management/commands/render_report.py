import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.pdf import PRINT_TIMEOUT_MS, ReportPrintError, render_report_pdf
from strategy.models import Plan


class Command(BaseCommand):
    help = (
        "計画の報告書（全重点課題の3ページ）を PDF に出力します。"
        "例: render_report sasebo-r7 out.pdf"
        "（本番設定 DJANGO_DEBUG=0 では先に collectstatic を実行してください）"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("out")
        parser.add_argument(
            "--timeout",
            type=float,
            default=PRINT_TIMEOUT_MS / 1000,
            help="描画を打ち切るまでの秒数（既定 %(default)g 秒）",
        )

    def handle(self, *args, slug, out, timeout, **options):
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"計画が見つかりません: {slug}")
        if timeout <= 0:
            raise CommandError("--timeout は正の秒数で指定してください")
        started = time.monotonic()
        try:
            pdf = render_report_pdf(plan, timeout_ms=round(timeout * 1000))
        except ReportPrintError as exc:
            raise CommandError(f"PDF を作成できませんでした: {exc}") from exc
        Path(out).write_bytes(pdf)
        elapsed = time.monotonic() - started
        self.stdout.write(f"{out} に書き出しました（{len(pdf):,} バイト、{elapsed:.1f} 秒）")
