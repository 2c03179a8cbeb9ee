"""The window and the command line on one database at once (issue 18, item 13): an MIS import
run from sendesk-cli in another process while a signed-in session (the app's) keeps saving edits.
Each save either lands whole or is refused with a plain "in use, try again"; the import either
lands whole or says the same; nothing is half-written; and the open session then sees the
imported pupils on its next read."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from conftest import SENCO, SENCO_PASSWORD
from records_fixtures import add_pupil
from sendesk.errors import StorageError
from sendesk.models.upn import make_upn
from sendesk.records import pupils
from sendesk.services import verify as verify_mod
from store_tools import cli_executable

IMPORTED = 400


def _mis_csv(path):
    lines = ["UPN,Surname,Forename,DOB,Gender,Year,Reg Group"]
    lines += [f"{make_upn('940', '4001', 24, 500 + n)},Imported{n},Pupil,03/04/2016,F,5,5W"
              for n in range(IMPORTED)]
    path.write_text("\r\n".join(lines) + "\r\n")


def _imported_count(session):
    return int(session.db.scalar("SELECT count(*) FROM pupils WHERE legal_surname LIKE 'Imported%'"))


# A person saving quickly; and a loop saving as fast as it can, which can starve the other
# process of the lock (SQLite's busy wait is not a queue): then it must say "try again".
@pytest.mark.parametrize("pause", [0.05, 0.0], ids=["a person", "a tight loop"])
def test_an_import_from_the_cli_while_the_app_saves_edits(school, senco_session, tmp_path, pause):
    db_path, _ = school
    pupil = add_pupil(senco_session, legal_surname="Edited")
    csv_file = tmp_path / "mis.csv"
    _mis_csv(csv_file)
    child = subprocess.Popen(
        [cli_executable(), "pupils", "import", str(db_path), str(csv_file), "--user", SENCO],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SENDESK_DEBUG": ""})
    child.stdin.write(SENCO_PASSWORD + "\n")
    child.stdin.close()

    saved, refused, serial = [], [], 0
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        serial += 1
        name = f"5E{serial}"
        try:
            pupils.update_pupil(senco_session, pupil, {"class_name": name})
        except StorageError as exc:
            assert "in use" in str(exc) and "Try again" in str(exc), str(exc)
            refused.append(name)
        else:
            saved.append(name)
        # The session reads in the middle of the other process's import, too.
        assert _imported_count(senco_session) in (0, IMPORTED)
        time.sleep(pause)
    child.wait(timeout=60)
    out, err = child.stdout.read(), child.stderr.read()

    # The import landed whole, or was refused in one plain sentence and left nothing.
    if child.returncode == 0:
        assert _imported_count(senco_session) == IMPORTED, "the app does not see the import"
    else:
        assert len(err.strip().splitlines()) == 1 and "in use" in err and "Try again" in err, err
        assert _imported_count(senco_session) == 0
    # Every save that said it succeeded is there; the last one is what the record holds.
    assert saved, "the app could not save a single edit during the import"
    assert pupils.get_pupil(senco_session, pupil).details.class_name == saved[-1]
    assert verify_mod.verify(senco_session).ok
    # Most runs see both at once; at least the CLI ran alongside several saves.
    assert len(saved) + len(refused) >= 3, (saved, refused, out, err)

