from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategy.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "データベース全体をファイルにバックアップします"
        "（SQLite: オンラインバックアップ、PostgreSQL: pg_dump）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{file} にバックアップしました")
