"""The real LibreOffice for tests: re-save a workbook as Calc would, or edit it through UNO.

``resave`` runs ``soffice --headless --convert-to``; ``edit_with_uno`` runs
tests/interchange/uno_edit.py under Debian's /usr/bin/python3 (``import uno`` works there,
not in the project's virtualenv), which drives one soffice process for the whole edit.
Both use a LibreOffice profile of their own in a temporary directory, one per test run,
removed at exit.

``require()`` skips a test when LibreOffice or python3-uno is missing — unless the
environment says ``CI=true``: CI installs them (.ci/run, ``make libreoffice``), so there a
missing LibreOffice fails the test instead of hiding it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time
from functools import cache
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
UNO_EDIT = Path(__file__).with_name("uno_edit.py")
FILTERS = {"xlsx": "xlsx:Calc Office Open XML", "ods": "ods:calc8"}
TIMEOUT = 180  # seconds for one conversion or one UNO session (a cold start takes ~3 s)
TIMINGS: list[tuple[str, float]] = []  # (what, seconds) of every LibreOffice run


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def missing() -> str | None:
    """Why LibreOffice cannot be used here, or None."""
    if soffice() is None:
        return "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} is missing (UNO scripts run under Debian's python3)"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True, timeout=60
    )
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno: apt-get install python3-uno"
    return None


def require() -> None:
    """Skip (locally) or fail (under CI=true) when LibreOffice is not usable."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@cache
def _profile() -> Path:
    path = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _profile_url() -> str:
    return _profile().as_uri()


def _run(what: str, command: list[str]) -> subprocess.CompletedProcess:
    started = time.monotonic()
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, env=_environment()
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"LibreOffice took over {TIMEOUT} s: {what}") from exc
    finally:
        TIMINGS.append((what, time.monotonic() - started))
    return result


def _environment() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the venv's packages must not shadow Debian's in uno_edit
    env.pop("VIRTUAL_ENV", None)
    env.setdefault("HOME", str(_profile()))
    return env


def resave(path_in: Path | str, fmt: str, outdir: Path | str) -> Path:
    """``path_in`` opened and saved again by LibreOffice Calc as ``fmt`` (xlsx or ods) in
    ``outdir`` (which must not be ``path_in``'s directory: same name, other content)."""
    path_in, outdir = Path(path_in), Path(outdir)
    if outdir.resolve() == path_in.parent.resolve():
        raise ValueError("resave into another directory than the source's")
    outdir.mkdir(parents=True, exist_ok=True)
    result = _run(
        f"resave {path_in.name} as {fmt}",
        [
            soffice(),
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={_profile_url()}",
            "--convert-to",
            FILTERS[fmt],
            "--outdir",
            str(outdir),
            str(path_in),
        ],
    )
    out = outdir / f"{path_in.stem}.{fmt}"
    if result.returncode != 0 or not out.exists():
        raise AssertionError(
            f"LibreOffice did not convert {path_in.name} to {fmt} (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return out


def edit_with_uno(path: Path | str, ops: list[dict], out: Path | str | None = None) -> Path:
    """``path`` opened in Calc, changed by ``ops`` (see uno_edit.py) and stored in the same
    format as ``out`` (default: ``<name>-edited<suffix>`` beside it). The per-operation
    results (rows touched, views) are left in ``edit_with_uno.last``."""
    path = Path(path)
    out = Path(out) if out else path.with_name(f"{path.stem}-edited{path.suffix}")
    with tempfile.TemporaryDirectory(prefix="uno-edit-") as work:
        # a private copy: a lock file left beside the original by a crashed soffice would
        # make a hidden load fail without a word
        source = Path(work) / path.name
        shutil.copyfile(path, source)
        ops_file = Path(work) / "ops.json"
        ops_file.write_text(json.dumps(ops, ensure_ascii=False), encoding="utf-8")
        target = Path(work) / f"edited{path.suffix}"
        result = _run(
            f"UNO edit of {path.name} ({len(ops)} operations)",
            [
                SYSTEM_PYTHON,
                str(UNO_EDIT),
                "--soffice",
                soffice(),
                "--profile",
                str(_profile()),
                str(source),
                str(target),
                str(ops_file),
            ],
        )
        if result.returncode != 0 or not target.exists():
            raise AssertionError(
                f"the UNO edit of {path.name} failed (exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        shutil.copyfile(target, out)
    edit_with_uno.last = json.loads(result.stdout)["ops"]
    return out


edit_with_uno.last = []
