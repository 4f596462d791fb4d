"""Backup and restore of the whole database, with the engine's own tools.

SQLite: the sqlite3 online-backup API (consistent while the app runs). PostgreSQL:
pg_dump in its custom format and pg_restore --clean in one transaction.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(RuntimeError):
    pass


def _pg_tool(name: str) -> str:
    for candidate in (
        os.environ.get("DXPLAN_PG_BIN", "") and str(Path(os.environ["DXPLAN_PG_BIN"]) / name),
        shutil.which(name),
        f"/usr/lib/postgresql/15/bin/{name}",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(
        f"{name} が見つかりません（PostgreSQL のクライアントをインストールしてください）"
    )


def _pg_args() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    host = s.get("HOST") or (s.get("OPTIONS") or {}).get("host")  # ?host=/socket/dir
    if host:
        args += ["--host", host]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{cmd[0]} が失敗しました")


def backup(path: Path) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(str(path))
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_args()
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args], env
        )
    else:
        raise BackupError(f"{connection.vendor} には対応していません")


def restore(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"バックアップファイルがありません: {path}")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(str(path))
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_args()
        connection.close()  # pg_restore drops the tables this connection may hold open
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(path),
            ],
            env,
        )
    else:
        raise BackupError(f"{connection.vendor} には対応していません")
