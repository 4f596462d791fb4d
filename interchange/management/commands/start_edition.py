from django.core.management.base import BaseCommand, CommandError

from interchange.editions import EditionError, edition_start
from strategy import fiscal
from strategy.models import Plan


class Command(BaseCommand):
    help = (
        "計画の版を次年度の版として複製します（元の版は変更しません）。"
        "例: start_edition sasebo-r7 R8"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("fiscal_year", help="新しい版の報告年度（R8、令和8年度、2026 など）")

    def handle(self, *args, slug, fiscal_year, **options):
        plan = Plan.objects.filter(slug=slug).select_related("municipality").first()
        if plan is None:
            raise CommandError(f"計画が見つかりません: {slug}")
        try:
            year = fiscal.parse_year(fiscal_year)
            edition = edition_start(plan=plan, fiscal_year=year)
        except (ValueError, EditionError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{edition.slug}: {edition.title}（下書き）を作成しました — "
            f"プロジェクト {edition.projects.count()}、重点課題 {edition.issues.count()}"
        )
