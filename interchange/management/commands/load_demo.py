from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from interchange.demo import PlanFixtureError, plan_dirs, plan_load_yaml


class Command(BaseCommand):
    help = (
        "fixtures/ のデモ計画（佐世保市 R7・長崎市）を読み込みます。"
        "同じスラッグの計画はフィクスチャの内容に合わせて更新します（何度実行しても同じ結果）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=str(Path(settings.BASE_DIR) / "fixtures"), help="fixtures のフォルダ"
        )

    def handle(self, *args, **options):
        root = Path(options["dir"])
        dirs = plan_dirs(root)
        if not dirs:
            raise CommandError(f"{root} に plan.yaml を持つフォルダがありません")
        for directory in dirs:
            try:
                plan, diff = plan_load_yaml(directory)
            except PlanFixtureError as exc:
                raise CommandError(
                    f"{directory.name} を読み込めません:\n" + "\n".join(exc.errors)
                ) from exc
            self.stdout.write(
                f"{plan.slug}: {plan.title} — 重点課題 {plan.issues.count()}、"
                f"プロジェクト {plan.projects.count()}（変更 {diff.total} 件）"
            )
