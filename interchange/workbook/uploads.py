"""Uploaded workbooks waiting for confirmation between the preview and the apply step.

A pending upload is ``<token>.xlsx`` in settings.DXPLAN_IMPORT_DIR, with ``<token>.json``
beside it naming the user and the plan it was uploaded for. A pending upload goes away when
it is applied (``upload_discard``), when the same user uploads again for the same plan (the
new upload replaces it), or when it is older than ``MAX_AGE_SECONDS``: every store sweeps
the directory, and an expired one can no longer be loaded.
"""

import hashlib
import json
import secrets
import time
from pathlib import Path

from django.conf import settings

_TOKEN_CHARS = set("0123456789abcdef")
MAX_AGE_SECONDS = 24 * 60 * 60


def _dir() -> Path:
    path = Path(settings.DXPLAN_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _valid(token: str) -> bool:
    return isinstance(token, str) and len(token) == 32 and set(token) <= _TOKEN_CHARS


def _path(token: str) -> Path:
    if not _valid(token):
        raise FileNotFoundError("不正なトークンです")
    return _dir() / f"{token}.xlsx"


def _owner_path(token: str) -> Path:
    return _path(token).with_suffix(".json")


def _expired(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > MAX_AGE_SECONDS
    except FileNotFoundError:
        return False


def upload_sweep(*, user_id=None, plan_id=None, now: float | None = None) -> int:
    """Delete pending uploads older than a day, and (given both ids) that user's pending
    upload for that plan. Returns how many uploads were deleted."""
    now = time.time() if now is None else now
    owner = _owner_key(user_id, plan_id) if user_id is not None and plan_id is not None else None
    tokens = {p.stem for p in _dir().iterdir() if p.suffix in (".xlsx", ".json") and _valid(p.stem)}
    deleted = 0
    for token in sorted(tokens):
        upload = _path(token)
        if not upload.exists():  # an owner file left by a crash: only once it is old
            if _expired(_owner_path(token), now):
                _owner_path(token).unlink(missing_ok=True)
            continue
        if _expired(upload, now) or (owner is not None and _owner(token) == owner):
            upload_discard(token)
            deleted += 1
    return deleted


def _owner_key(user_id, plan_id) -> dict:
    return {"user": str(user_id), "plan": str(plan_id)}


def _owner(token: str) -> dict | None:
    try:
        return json.loads(_owner_path(token).read_text())
    except (FileNotFoundError, ValueError):
        return None


def upload_store(content: bytes, *, user_id=None, plan_id=None) -> str:
    """Keep ``content`` until it is confirmed; returns the token that names it. A pending
    upload by the same user for the same plan is replaced; uploads older than a day go."""
    upload_sweep(user_id=user_id, plan_id=plan_id)
    token = secrets.token_hex(16)
    _path(token).write_bytes(content)
    if user_id is not None and plan_id is not None:
        _owner_path(token).write_text(json.dumps(_owner_key(user_id, plan_id)))
    return token


def upload_load(token: str) -> bytes:
    path = _path(token)
    if _expired(path, time.time()):
        upload_discard(token)
        raise FileNotFoundError("期限切れのアップロードです")
    return path.read_bytes()


def upload_discard(token: str) -> None:
    if not _valid(token):
        return
    _path(token).unlink(missing_ok=True)
    _owner_path(token).unlink(missing_ok=True)


def diff_digest(diff) -> str:
    """Fingerprint of a preview, so the apply step can tell the data moved underneath."""
    text = (
        diff.summary_text()
        + "".join(f"{c.collection}{c.key}{c.attribute}{c.old}{c.new}" for c in diff.changed)
        + repr(diff.created)
        + repr(diff.deleted)
    )
    return hashlib.sha256(text.encode()).hexdigest()
