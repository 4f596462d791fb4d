from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategy.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "backup_data で作ったファイルからデータベース全体を復元します"
        "（現在の内容は置き換わります）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="確認せずに復元する")

    def handle(self, *args, file, yes=False, **options):
        if not yes:
            answer = input("現在のデータベースの内容を置き換えます。よろしいですか？ [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("中止しました")
        try:
            restore(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{file} から復元しました")
