"""Uploaded workbooks waiting for confirmation between the preview and the apply step.

A pending upload is a row of ``interchange.PendingUpload`` — in the database, which every
app server shares, so the confirmation may reach another server than the preview did, and
nothing is evicted behind the user's back as a cache could. The row names the user and the
plan it was uploaded for. A pending upload goes away when it is applied
(``upload_discard``), when the same user uploads again for the same plan (the new upload
replaces it), or when it is older than ``MAX_AGE_SECONDS``: every store sweeps, and an
expired one can no longer be loaded.
"""

import datetime as dt
import hashlib
import secrets
import time

from django.db import transaction

_TOKEN_CHARS = set("0123456789abcdef")
MAX_AGE_SECONDS = 24 * 60 * 60


def _pending():
    from interchange.models import PendingUpload

    return PendingUpload.objects


def _valid(token: str) -> bool:
    return isinstance(token, str) and len(token) == 32 and set(token) <= _TOKEN_CHARS


def _cutoff(now: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(now - MAX_AGE_SECONDS, tz=dt.UTC)


def upload_sweep(*, user_id=None, plan_id=None, now: float | None = None) -> int:
    """Delete pending uploads older than a day, and (given both ids) that user's pending
    upload for that plan. Returns how many uploads were deleted."""
    now = time.time() if now is None else now
    expired = _pending().filter(created_at__lt=_cutoff(now))
    deleted, _ = expired.delete()
    if user_id is not None and plan_id is not None:
        replaced, _ = _pending().filter(user_id=user_id, plan_id=plan_id).delete()
        deleted += replaced
    return deleted


def upload_store(content: bytes, *, user_id=None, plan_id=None) -> str:
    """Keep ``content`` until it is confirmed; returns the token that names it. A pending
    upload by the same user for the same plan is replaced; uploads older than a day go."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        upload_sweep(user_id=user_id, plan_id=plan_id)
        _pending().create(token=token, user_id=user_id, plan_id=plan_id, content=content)
    return token


def upload_load(token: str) -> bytes:
    if not _valid(token):
        raise FileNotFoundError("不正なトークンです")
    row = _pending().filter(token=token).values_list("content", "created_at").first()
    if row is None:
        raise FileNotFoundError("アップロードが見つかりません")
    content, created_at = row
    if created_at < _cutoff(time.time()):
        upload_discard(token)
        raise FileNotFoundError("期限切れのアップロードです")
    return bytes(content)


def upload_discard(token: str) -> None:
    if not _valid(token):
        return
    _pending().filter(token=token).delete()


def diff_digest(diff) -> str:
    """Fingerprint of a preview, so the apply step can tell the data moved underneath."""
    text = (
        diff.summary_text()
        + "".join(f"{c.collection}{c.key}{c.attribute}{c.old}{c.new}" for c in diff.changed)
        + repr(diff.created)
        + repr(diff.deleted)
    )
    return hashlib.sha256(text.encode()).hexdigest()
