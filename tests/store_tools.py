"""Helpers for tests that attack the store: fingerprints of files on disk, direct SQLCipher
access with a session's data key, and running core code in a child process under limits
(a full disk, a folder the process may not write to) that cannot be set in-process."""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlcipher3

from sendesk.errors import SendeskError
from sendesk.store.keyfile import keyfile_path

PAGE_SIZE = 4096


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under `folder` (names relative to it) and a hash of its bytes."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def pages(data: bytes) -> list[bytes]:
    return [data[i:i + PAGE_SIZE] for i in range(0, len(data), PAGE_SIZE)]


def raw_connection(path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """The database opened as an attacker who has the key would open it: no sendesk code at all."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{bytes(data_key).hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def add_filler(path: Path, data_key: bytes, rows: int = 40) -> None:
    """Stand-in for pupil records: pages that signing in never needs to read."""
    conn = raw_connection(path, data_key)
    try:
        conn.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        for _ in range(rows):
            conn.execute("INSERT INTO filler (body) VALUES (?)", (os.urandom(3000),))
    finally:
        conn.close()


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(Path(path).read_bytes())
    data[offset] ^= 0x01
    Path(path).write_bytes(bytes(data))


def make_school(folder: Path) -> tuple[Path, str]:
    """The same school as conftest's `school` fixture, made once so tests can copy it."""
    from conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD, STAFF, STAFF_NAME, STAFF_PASSWORD
    from sendesk.clock import FixedClock
    from sendesk.services import lifecycle, users

    path = Path(folder) / "school.sendesk"
    session, recovery = lifecycle.create(
        path, school_name=SCHOOL_NAME, school_reference="123456", username=SENCO,
        full_name=SENCO_NAME, password=SENCO_PASSWORD,
        clock=FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)))
    users.add_user(session, STAFF, STAFF_NAME, "staff", STAFF_PASSWORD)
    session.close()
    return path, recovery


def copy_school(template: tuple[Path, str], db_path: Path) -> tuple[Path, str]:
    source, recovery = template
    shutil.copyfile(source, db_path)
    shutil.copyfile(keyfile_path(source), keyfile_path(db_path))
    return db_path, recovery


def assert_user_message(exc: BaseException, *types: type[SendeskError]) -> None:
    """The error is one of ours, of the expected kind, and reads as a sentence, not a trace."""
    assert isinstance(exc, SendeskError), f"raw {type(exc).__module__}.{type(exc).__name__}: {exc}"
    if types:
        assert isinstance(exc, types), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert text.strip(), "empty error message"
    assert "Traceback" not in text and 'File "' not in text
    for raw in ("sqlcipher3", "JSONDecodeError", "Expecting value", "InvalidTag", "errno"):
        assert raw not in text, text


# --- child processes ------------------------------------------------------------------------

CHILD_PRELUDE = """
import hashlib, json, os, sys, traceback
os.environ["SENDESK_KDF_SECONDS"] = "0"
from pathlib import Path
from sendesk.errors import SendeskError
from sendesk.store.keyfile import keyfile_path

_checkpoint = None

def checkpoint(folder):
    \"\"\"Record the files as they stand just before the disk is broken.\"\"\"
    global _checkpoint
    _checkpoint = {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in sorted(Path(folder).rglob("*")) if p.is_file()}

def report(outcome, **extra):
    print(json.dumps({"outcome": outcome, "checkpoint": _checkpoint, **extra}))

def attempt(action):
    try:
        action()
    except SendeskError as exc:
        report("refused", type=type(exc).__name__, message=str(exc))
    except BaseException as exc:
        report("crashed", type=f"{type(exc).__module__}.{type(exc).__name__}", message=str(exc),
               trace=traceback.format_exc())
    else:
        report("ok")
"""

FULL_DISK = """
def break_disk():
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
"""

READ_ONLY = """
def break_disk():
    for folder in {folders!r}:
        os.chmod(folder, 0o555)
"""


def run_child(body: str, *, full_disk: int | None = None, read_only: list[Path] | tuple = (),
              env: dict[str, str] | None = None) -> dict:
    """Run `body` in a fresh interpreter and return what its one attempt(...) reported.

    The body calls break_disk() at the moment the disk should fail. With full_disk=N that sets
    RLIMIT_FSIZE to N bytes with SIGXFSZ ignored, so a write past it fails with EFBIG exactly
    as on a full disk. With read_only=[folders] it makes those folders read-only, and (when
    running as root, as CI does) the child has first given up root's power to ignore file
    permissions, so the folder really is read-only to it. The caller restores the folders.
    """
    if full_disk is not None:
        breaker = FULL_DISK.format(limit=int(full_disk))
    elif read_only:
        breaker = READ_ONLY.format(folders=[str(f) for f in read_only])
    else:
        breaker = "def break_disk():\n    pass\n"
    code = CHILD_PRELUDE + breaker + textwrap.dedent(body)
    preexec = _drop_dac_override if (read_only and os.geteuid() == 0) else None
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, preexec_fn=preexec, timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 0 and lines, f"child failed:\n{result.stdout}\n{result.stderr}"
    outcome = json.loads(lines[-1])
    assert outcome["outcome"] != "crashed", outcome.get("trace")
    return outcome


def cli_executable() -> str:
    """The installed sendesk-cli: beside this Python (a venv's bin or Scripts), else on PATH."""
    for name in ("sendesk-cli", "sendesk-cli.exe"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    found = shutil.which("sendesk-cli")
    if not found:
        pytest.skip("sendesk-cli is not installed beside this Python")
    return found


CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
PR_CAPBSET_DROP = 24


def _drop_dac_override() -> None:
    """Runs in the child before exec: after exec, root no longer bypasses permission bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def require_permission_checks() -> None:
    """Skip (saying why) where a read-only folder cannot be made real."""
    if os.name != "posix":
        pytest.skip("read-only folders are simulated with POSIX permission bits")
    if os.geteuid() != 0:
        return
    probe = subprocess.run([sys.executable, "-c", "print(open('/proc/self/status').read())"],
                           capture_output=True, text=True, preexec_fn=_safe_drop)
    if probe.returncode != 0 or "CapEff" not in probe.stdout:
        pytest.skip("running as root without CAP_SETPCAP: cannot give up the power to ignore "
                    "file permissions, so a read-only folder cannot be simulated")
    effective = int(probe.stdout.split("CapEff:")[1].split()[0], 16)
    if effective & (1 << CAP_DAC_OVERRIDE):
        pytest.skip("running as root and CAP_DAC_OVERRIDE could not be dropped")


def _safe_drop() -> None:
    try:
        _drop_dac_override()
    except OSError:
        pass


def write_by_hand(request: pytest.FixtureRequest, session, sql: str) -> None:
    """One statement run by someone who may write any table, outside sendesk's rules: whoever
    holds the file's key, or on the school server its owner (no login may write everything)."""
    if not session.on_server:
        session.db.execute(sql)
        return
    server = request.getfixturevalue("pg_server")
    with server.admin(session.db.address.database) as conn:
        conn.execute(sql)
