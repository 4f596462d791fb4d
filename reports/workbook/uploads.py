"""Uploaded workbooks waiting for confirmation between the preview and the apply step."""

import hashlib
import secrets
from pathlib import Path

from django.conf import settings

_TOKEN_CHARS = set("0123456789abcdef")


def _dir() -> Path:
    path = Path(settings.DXPLAN_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path:
    if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
        raise FileNotFoundError("不正なトークンです")
    return _dir() / f"{token}.xlsx"


def upload_store(content: bytes) -> str:
    token = secrets.token_hex(16)
    _path(token).write_bytes(content)
    return token


def upload_load(token: str) -> bytes:
    return _path(token).read_bytes()


def upload_discard(token: str) -> None:
    try:
        _path(token).unlink()
    except FileNotFoundError:
        pass


def diff_digest(diff) -> str:
    """Fingerprint of a preview, so the apply step can tell the data moved underneath."""
    text = (
        diff.summary_text()
        + "".join(f"{c.collection}{c.key}{c.attribute}{c.old}{c.new}" for c in diff.changed)
        + repr(diff.created)
        + repr(diff.deleted)
    )
    return hashlib.sha256(text.encode()).hexdigest()
