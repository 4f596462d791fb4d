from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.services import plan_import
from interchange.workbook.importer import WorkbookError
from strategy.models import Plan


class Command(BaseCommand):
    help = (
        "ブック（.xlsx または .ods）を計画に取り込みます。すべてのセルを検証してから 1 つの"
        "トランザクションで反映し、誤りがあれば何も変更しません。--dry-run で変更内容だけを"
        "表示します。--user を付けると、そのユーザーの権限で確かめ、変更履歴にその名前が残ります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--plan", help="取り込み先の計画のスラッグ（省略時はブックの「計画」シート）"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="変更内容を表示するだけで反映しない"
        )
        parser.add_argument(
            "--details", action="store_true", help="変更したセルを 1 件ずつ表示する"
        )
        parser.add_argument(
            "--user",
            help="取り込むユーザー名: その権限で行ごとに確かめ、変更履歴の変更者として記録する",
        )

    def handle(self, *args, file, plan=None, dry_run=False, details=False, user=None, **options):
        from django.contrib.auth import get_user_model

        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"ユーザーが見つかりません: {user}")
        target = None
        if plan:
            target = Plan.objects.filter(slug=plan).select_related("municipality").first()
            if target is None:
                raise CommandError(f"計画が見つかりません: {plan}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"ファイルがありません: {file}")
        try:
            result = plan_import(
                plan=target,
                data=path.read_bytes(),
                user=actor,
                dry_run=dry_run,
                filename=path.name,
            )
        except WorkbookError as exc:
            raise CommandError(
                "取り込みを中止しました（何も変更していません）:\n" + "\n".join(exc.errors)
            ) from exc
        head = "変更内容（まだ反映していません）" if dry_run else "反映しました"
        self.stdout.write(f"{result.plan.slug}: {head}\n{result.diff.summary_text()}")
        if details:
            for sheet, label in result.diff.created_rows:
                self.stdout.write(f"  追加 [{sheet}] {label}")
            for change in result.diff.changed:
                self.stdout.write(
                    f"  変更 [{change.sheet}] {change.label} {change.attribute}: "
                    f"{change.old_text or '（空）'} → {change.new_text or '（空）'}"
                )
            for sheet, label in result.diff.deleted_rows:
                self.stdout.write(f"  削除 [{sheet}] {label}")
