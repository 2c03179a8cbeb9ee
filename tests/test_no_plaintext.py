"""Nothing readable leaks to disk: after a school's whole administrative life (create, add
users, change a password, back up, restore, verify), no name or username can be found in any
file sendesk wrote, encrypted or not, nor in anything that appeared in the temp folder."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest

from sendesk.cli.main import main as cli_main
from sendesk.services import backup, lifecycle, users
from sendesk.services import verify as verify_mod
from sendesk.store.keyfile import keyfile_path

SCHOOL = "Quillhaven Zephyrine Academy"
ADMIN = ("xvorstellung", "Xanthippe Vorstellung-Marchbanks", "harbour-lantern-quietly-47")
SENCO = ("oquaggmire", "Ottoline Quaggmire", "violet-kettle-meadow-83")
STAFF = ("bsizzlewick", "Bartholomew Sizzlewick", "copper-pylon-saffron-21")
CLI_USER = ("pwhindlethorpe", "Persephone Whindlethorpe", "saffron-drumlin-oxbow-64")
PEOPLE = (ADMIN, SENCO, STAFF, CLI_USER)

# slow: a school's whole life, then every byte written is scanned
pytestmark = [pytest.mark.slow,
              pytest.mark.sqlcipher_only(reason=(
                  "the bytes sendesk writes to disk for a file school"))]


def _needles() -> dict[str, list[bytes]]:
    # Whole names, and the invented words in them (not 'Academy', which other files may hold).
    words = [SCHOOL, "Quillhaven", "Zephyrine"]
    for username, full_name, _ in PEOPLE:
        words += [username, full_name, full_name.split()[-1]]
    found: dict[str, list[bytes]] = {}
    for word in words:
        variants = {word, word.lower(), word.upper()}
        found[word] = [v.encode(enc) for v in variants for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    return found


NEEDLES = _needles()
# Files other programs change in the temp folder meanwhile are searched too, up to this size;
# anything sendesk itself wrote is searched whatever its size.
FOREIGN_LIMIT = 64 * 1024 * 1024


def leaks_in(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    return sorted({word for word, forms in NEEDLES.items() if any(form in data for form in forms)})


def files_under(folder: Path):
    for root, _dirs, names in os.walk(folder, onerror=lambda error: None):
        for name in names:
            path = Path(root) / name
            try:
                if path.is_file() and not path.is_symlink():
                    yield path
            except OSError:
                continue


def temp_folders() -> list[Path]:
    folders = [Path(tempfile.gettempdir())]
    if Path("/var/tmp").is_dir():
        folders.append(Path("/var/tmp"))
    return folders


def state_of(folders) -> dict[Path, tuple[int, int]]:
    state = {}
    for folder in folders:
        for path in files_under(folder):
            try:
                info = path.stat()
            except OSError:
                continue
            state[path] = (info.st_mtime_ns, info.st_size)
    return state


def test_the_scanner_finds_a_planted_name(tmp_path):
    """Guard against a vacuous pass: the search does see names written in either encoding."""
    (tmp_path / "plain.txt").write_bytes(("note about " + STAFF[1]).encode("utf-16-le"))
    (tmp_path / "upper.txt").write_text(SCHOOL.upper())
    assert STAFF[1] in leaks_in(tmp_path / "plain.txt")
    assert SCHOOL in leaks_in(tmp_path / "upper.txt")


def test_no_names_reach_the_disk_in_plain_text(tmp_path, data_dir, clock):
    temp_before = state_of(temp_folders())
    school_dir = tmp_path / "school"
    school_dir.mkdir()
    db_path = school_dir / "school.sendesk"

    session, recovery = lifecycle.create(db_path, school_name=SCHOOL, school_reference="123456",
                                         username=ADMIN[0], full_name=ADMIN[1], password=ADMIN[2],
                                         clock=clock)
    try:
        users.add_user(session, SENCO[0], SENCO[1], "senco", SENCO[2])
        users.add_user(session, STAFF[0], STAFF[1], "staff", STAFF[2])
        users.change_password(session, STAFF[0], "tundra-marble-crocus-90")
        backup_path = tmp_path / "backups" / "friday.sendesk-backup"
        backup_path.parent.mkdir()
        backup.backup(session, backup_path)
        assert verify_mod.verify(session).ok
    finally:
        session.close()

    # The same through the command line, which reads secrets from standard input.
    code = cli_main(["user", "add", str(db_path), CLI_USER[0], "--full-name", CLI_USER[1],
                     "--role", "staff", "--user", ADMIN[0]],
                    stdin=io.StringIO(f"{ADMIN[2]}\n{CLI_USER[2]}\n"))
    assert code == 0

    restored = tmp_path / "restored" / "school.sendesk"
    restored.parent.mkdir()
    backup.restore(backup_path, restored, ADMIN[2])  # an administrator of the backup
    lifecycle.recover(restored, recovery, SENCO[0], "granite-osprey-lullaby-31").close()

    # The names really are in there, behind the encryption.
    session = lifecycle.open_school(db_path, SENCO[0], SENCO[2])
    try:
        assert session.school.name == SCHOOL
        assert {u.full_name for u in users.list_users(session)} == {p[1] for p in PEOPLE}
    finally:
        session.close()

    written = [db_path, keyfile_path(db_path), backup_path, restored, keyfile_path(restored)]
    for path in written:
        assert path.is_file()
    written += list(files_under(tmp_path)) + list(files_under(data_dir))

    temp_after = state_of(temp_folders())
    written += [path for path, stamp in temp_after.items()
                if temp_before.get(path) != stamp and stamp[1] <= FOREIGN_LIMIT]

    leaks = {str(path): leaks_in(path) for path in sorted(set(written))}
    assert {path: words for path, words in leaks.items() if words} == {}


def test_the_key_file_names_nobody(tmp_path, clock):
    """It sits unencrypted beside the database, so it must not even say whose it is."""
    db_path = tmp_path / "school.sendesk"
    lifecycle.create(db_path, school_name=SCHOOL, school_reference="123456", username=ADMIN[0],
                     full_name=ADMIN[1], password=ADMIN[2], clock=clock)[0].close()
    text = keyfile_path(db_path).read_text().lower()
    for name in (SCHOOL, ADMIN[0], ADMIN[1], "123456"):
        assert name.lower() not in text
