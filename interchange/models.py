"""What the interchange app keeps between requests: uploaded workbooks awaiting confirmation."""

from django.db import models
from django.utils import timezone


class PendingUpload(models.Model):
    """An uploaded workbook between its preview and the confirmation, in the database that
    every app server shares (interchange/workbook/uploads.py)."""

    token = models.CharField("トークン", max_length=32, primary_key=True)
    user_id = models.BigIntegerField("アップロードした人", null=True, blank=True)
    plan_id = models.BigIntegerField("計画", null=True, blank=True)
    content = models.BinaryField("ファイル")
    created_at = models.DateTimeField("アップロード日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "確認待ちのアップロード"
        verbose_name_plural = "確認待ちのアップロード"
        indexes = [models.Index(fields=["user_id", "plan_id"], name="pending_upload_owner")]

    def __str__(self) -> str:
        return f"{self.token} ({self.created_at:%Y-%m-%d %H:%M})"
