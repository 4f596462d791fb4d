import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "デモ用の管理者（admin）を作成し、ログイン情報を表示します。"
        "実行のたびにパスワードを作り直します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=options["username"])
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            "\nデモ管理者 / demo administrator\n"
            f"  URL:      http://127.0.0.1:8000/admin/\n"
            f"  ユーザー名: {user.username}\n"
            f"  パスワード: {password}\n"
        )
