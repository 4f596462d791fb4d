from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.formats import FORMATS
from interchange.workbook.export import workbook_export
from strategy.models import Plan


class Command(BaseCommand):
    help = (
        "計画の版をブックに書き出します。形式はファイル名の拡張子で決まります（.xlsx または"
        " .ods）。例: export_plan sasebo-r7 sasebo-r7.xlsx"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("out")

    def handle(self, *args, slug, out, **options):
        plan = Plan.objects.filter(slug=slug).select_related("municipality").first()
        if plan is None:
            raise CommandError(f"計画が見つかりません: {slug}")
        fmt = next((f.name for f in FORMATS.values() if out.lower().endswith(f.extension)), None)
        if fmt is None:
            raise CommandError(f"拡張子を .xlsx か .ods にしてください: {out}")
        content = workbook_export(plan, fmt)
        Path(out).write_bytes(content)
        self.stdout.write(f"{out} に書き出しました（{len(content):,} バイト）")
