"""No plaintext leaks from a whole working session.

leak_session.py runs in a fresh process with HOME, TMPDIR, the XDG cache, config and data
folders, SENDESK_DATA_DIR and the working folder all inside one watched folder. Afterwards
every file in it is searched for every pupil's, parent's and user's name and every UPN, in
UTF-8 and UTF-16 (either byte order) and in upper and lower case, and so is every file that
changed meanwhile in the system's temp folders. Only the user's own inputs and the files they
explicitly exported may hold them: the database, its key file, the backup, the restored copy,
settings, Qt's caches and anything else must not.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from sendesk.models.upn import make_upn

HERE = Path(__file__).parent
NAMES = {
    "school": "Thrimblecombe Yarrowgate Academy",
    "senco": "Philippa Grimmelshaw", "staff": "Barnabus Snoddleworth",
    "parent": "Wilhelmina Xylophant", "parent2": "Crispin Vexhammer", "known_as": "Quenby",
    "pupils": [[make_upn("940", "4001", 24, 701), "Xylophant", "Peregrine"],
               [make_upn("940", "4001", 24, 702), "Vexhammer", "Ysolde"],
               [make_upn("940", "4001", 24, 703), "Zundlewick", "Thaddeus"]],
}
ALLOWED = ("exports", "inputs")  # the user's own files, and what they chose to export

# slow: a session in a child process, then every byte written is scanned
pytestmark = [pytest.mark.slow,
              pytest.mark.sqlcipher_only(reason=(
                  "every file a working session leaves on disk, the encrypted database among them"))]


def needles() -> dict[str, list[bytes]]:
    words = [NAMES["school"], "Thrimblecombe", NAMES["senco"], "Grimmelshaw", NAMES["staff"],
             "Snoddleworth", NAMES["parent"], "Wilhelmina", NAMES["parent2"], "Crispin", "Quenby"]
    for upn, surname, forename in NAMES["pupils"]:
        words += [upn, surname, forename]
    return {word: [variant.encode(encoding) for variant in {word, word.lower(), word.upper()}
                   for encoding in ("utf-8", "utf-16-le", "utf-16-be")] for word in words}


NEEDLES = needles()


def found_in(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if data.startswith(b"%PDF"):  # text in a PDF is compressed: read it as a reader would
        data += pdf_text(data).encode("utf-8")
    return sorted(word for word, forms in NEEDLES.items() if any(form in data for form in forms))


def pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    except Exception:  # noqa: BLE001 - a file that only looks like a PDF is searched as bytes
        return ""


def files_under(folder: Path):
    for root, _, names in os.walk(folder, onerror=lambda error: None):
        for name in names:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


def temp_state() -> dict[Path, tuple[int, int]]:
    state = {}
    for folder in {Path(tempfile.gettempdir()), Path("/var/tmp"), Path("/dev/shm")}:
        if folder.is_dir():
            for path in files_under(folder):
                try:
                    info = path.stat()
                except OSError:
                    continue
                state[path] = (info.st_mtime_ns, info.st_size)
    return state


@pytest.fixture(scope="module")
def session_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("watched")
    env = dict(os.environ)
    for name, sub in (("HOME", "home"), ("TMPDIR", "tmp"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "share"),
                      ("XDG_RUNTIME_DIR", "runtime"), ("SENDESK_DATA_DIR", "appdata")):
        (root / sub).mkdir(mode=0o700)
        env[name] = str(root / sub)
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    (root / "cwd").mkdir()
    before = temp_state()
    result = subprocess.run([sys.executable, str(HERE / "leak_session.py"), str(root),
                             json.dumps(NAMES)], cwd=root / "cwd", env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    # Other test runs on the machine (their own pytest folders) are not this session's doing.
    changed = [path for path, stamp in temp_state().items()
               if before.get(path) != stamp and stamp[1] <= 64 * 1024 * 1024
               and "pytest-of-" not in str(path)]
    return root, changed


def test_the_session_really_wrote_the_names_where_the_user_asked(session_run):
    """Guard against a vacuous pass: the exports and the user's inputs do hold the names."""
    root, _ = session_run
    exported = {word for path in files_under(root / "exports") for word in found_in(path)}
    assert {"Xylophant", "Vexhammer", "Peregrine"} <= exported
    assert len(list(files_under(root / "school"))) == 2  # the database and its key file
    assert any(files_under(root / "usb")) and any(files_under(root / "restored"))
    assert [p.name for p in files_under(root / "outbox")] == ["pupil.sendesk-transfer"]
    assert {"Zundlewick", "Thaddeus"} <= set(found_in(root / "exports" / "acknowledgement.pdf"))


def test_no_file_outside_the_exports_holds_a_name(session_run):
    root, changed_in_temp = session_run
    leaks = {}
    for path in list(files_under(root)) + changed_in_temp:
        if path.is_relative_to(root) and path.relative_to(root).parts[0] in ALLOWED:
            continue
        words = found_in(path)
        if words:
            leaks[str(path)] = words
    assert leaks == {}


def test_nothing_was_left_in_the_temp_folder(session_run):
    """sendesk makes no temporary files at all: the session's own TMPDIR stays empty."""
    root, _ = session_run
    assert [str(p) for p in files_under(root / "tmp")] == []


def test_the_data_folder_holds_settings_only(session_run):
    root, _ = session_run
    for path in files_under(root / "appdata"):
        assert path.suffix in (".json", ".ini", ".conf"), path
