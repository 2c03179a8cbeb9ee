"""Removing a user, or resetting a password that may be known, re-encrypts the database under
a new key (issue 18, item 11): a key file copied before then opens nothing written since, the
removed user's password opens nothing, and everyone else, the recovery key and the audit chain
carry on. Restoring needs an administrator of the backup (item 12)."""

from __future__ import annotations

import io
import shutil
from types import SimpleNamespace

import pytest

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from records_fixtures import add_pupil
from sendesk.cli import main as cli_module
from sendesk.errors import NotASendeskDatabase, PermissionDenied, WrongPassword
from sendesk.operations import Cancelled, Progress
from sendesk.records import audit_log, pupils
from sendesk.services import backup, lifecycle, users
from sendesk.services import verify as verify_mod
from sendesk.store import keyswap
from sendesk.store.keyfile import KeyFile, keyfile_path

pytestmark = pytest.mark.sqlcipher_only(reason="re-encrypting the file and its key file under a "
                                         "new key; the server has no data key (its logins are "
                                         "changed instead: tests/test_server_store.py)")

OTHER = "jbloggs"
OTHER_PASSWORD = "orchid-tumble-riverbank-55"
NEW_PASSWORD = "granite-osprey-lullaby-31"


@pytest.fixture
def cli(capsys):
    def run(*argv, stdin=()):
        code = cli_module.main([str(a) for a in argv],
                               stdin=io.StringIO("".join(line + "\n" for line in stdin)))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and (code != 0 or err == "")
        return SimpleNamespace(code=code, out=out, error=err.strip())
    return run


def _copy_pair(db_path, folder):
    folder.mkdir()
    target = folder / db_path.name
    shutil.copyfile(db_path, target)
    shutil.copyfile(keyfile_path(db_path), keyfile_path(target))
    return target


def _signs_in(db_path, username, password):
    session = lifecycle.open_school(db_path, username, password)
    try:
        return verify_mod.verify(session).ok
    finally:
        session.close()


def test_an_old_key_file_opens_nothing_newer_than_itself(school, senco_session, tmp_path):
    db_path, recovery = school
    users.add_user(senco_session, OTHER, "Jo Bloggs", "staff", OTHER_PASSWORD)
    old_keys = keyfile_path(db_path).read_bytes()
    old_data_key = bytes(senco_session.data_key)
    steps = []
    rotation = users.remove_user(senco_session, STAFF, Progress(lambda d, t, text: steps.append(d)))
    assert rotation.needs_reset == [] and rotation.recovery_key is None
    assert steps and steps[-1] == 100 and steps == sorted(steps)
    # The session carries on under the new key, and what it adds now is what the old file
    # must not open.
    pupil = add_pupil(senco_session, legal_surname="Afterwards")
    assert bytes(senco_session.data_key) != old_data_key
    senco_session.close()

    # A key file copied before the removal, put back beside today's database: nobody's
    # password opens it, not even the remaining users'.
    stolen = _copy_pair(db_path, tmp_path / "stolen")
    keyfile_path(stolen).write_bytes(old_keys)
    for username, password in ((STAFF, STAFF_PASSWORD), (SENCO, SENCO_PASSWORD)):
        with pytest.raises(NotASendeskDatabase, match="could not be decrypted"):
            lifecycle.open_school(stolen, username, password)
    # And the old data key itself (as a removed user might have kept it) opens nothing either.
    with pytest.raises(NotASendeskDatabase):
        lifecycle.open_with_data_key(stolen, old_data_key, SENCO)

    # The removed user's password fails on the real files; everyone else carries on.
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD)
    assert _signs_in(db_path, OTHER, OTHER_PASSWORD)
    lifecycle.recover(db_path, recovery, SENCO, NEW_PASSWORD).close()
    session = lifecycle.open_school(db_path, SENCO, NEW_PASSWORD)
    try:
        assert pupils.get_pupil(session, pupil).details.legal_surname == "Afterwards"
        report = verify_mod.verify(session)
        assert report.ok, report.lines()  # the audit chain runs on across the re-encryption
        actions = [entry.action for entry in audit_log.read_log(session)]
    finally:
        session.close()
    assert "removed a user" in actions
    assert "re-encrypted the database under a new key" in actions
    assert sorted(p.name for p in db_path.parent.iterdir() if p.name != "stolen") == sorted(
        [db_path.name, keyfile_path(db_path).name])


def test_a_reset_because_the_password_may_be_known_rotates_only_when_asked(school, senco_session):
    db_path, _ = school
    old_keys = KeyFile.load(keyfile_path(db_path))
    users.reset_password(senco_session, STAFF, NEW_PASSWORD)  # forgotten: same key
    assert bytes(old_keys.unlock_with_password(SENCO, SENCO_PASSWORD)) == bytes(
        senco_session.data_key)
    rotation = users.reset_password(senco_session, STAFF, OTHER_PASSWORD, rotate_key=True)
    assert rotation is not None
    senco_session.close()
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, STAFF, NEW_PASSWORD)
    assert _signs_in(db_path, STAFF, OTHER_PASSWORD)
    old_key = old_keys.unlock_with_password(SENCO, SENCO_PASSWORD)
    with pytest.raises(WrongPassword, match="Quick unlock no longer opens"):
        lifecycle.open_with_data_key(db_path, bytes(old_key), SENCO)


def test_another_copy_still_signed_in_is_told_to_sign_in_again(school, senco_session):
    db_path, _ = school
    users.add_user(senco_session, OTHER, "Jo Bloggs", "senco", OTHER_PASSWORD)
    other = lifecycle.open_school(db_path, OTHER, OTHER_PASSWORD)
    try:
        users.remove_user(senco_session, STAFF)
        with pytest.raises(PermissionDenied, match="re-encrypted .* Sign in again"):
            add_pupil(other, legal_surname="Lost")
    finally:
        other.close()
    assert _signs_in(db_path, OTHER, OTHER_PASSWORD)


def test_cancelling_the_re_encryption_changes_nothing(school, senco_session):
    db_path, _ = school
    before = {p.name: p.read_bytes() for p in db_path.parent.iterdir()}
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        users.remove_user(senco_session, STAFF, progress)
    assert {p.name: p.read_bytes() for p in db_path.parent.iterdir()} == before
    assert [u.username for u in users.list_users(senco_session)] == sorted([SENCO, STAFF])
    senco_session.close()
    assert _signs_in(db_path, STAFF, STAFF_PASSWORD)


def test_a_switch_cut_short_after_its_marker_is_finished_when_next_opened(school, senco_session,
                                                                           monkeypatch):
    """Killed between the marker and the renames (tests/security/test_crash_safety.py kills it
    at every step): the next opening finishes the switch."""
    db_path, _ = school

    finish = keyswap.finish_interrupted
    calls = []

    def stop_after_marker(database, keyfile):
        calls.append(database)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return finish(database, keyfile)

    monkeypatch.setattr(keyswap, "finish_interrupted", stop_after_marker)
    with pytest.raises(KeyboardInterrupt):
        users.remove_user(senco_session, STAFF)
    assert not senco_session.is_open  # its old connection must write nothing more
    assert keyswap.marker(db_path).exists()
    assert _signs_in(db_path, SENCO, SENCO_PASSWORD)
    assert not keyswap.marker(db_path).exists()
    with pytest.raises(WrongPassword):
        lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD)


def test_the_cli_rotates_on_remove_and_on_a_reset_asked_to(cli, school):
    db_path, _ = school
    old = keyfile_path(db_path).read_bytes()
    run = cli("user", "passwd", db_path, STAFF, "--user", SENCO, "--rotate-key",
              stdin=[SENCO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD])
    assert run.code == 0 and "re-encrypted under a new key" in run.out
    key = KeyFile.from_bytes(old).unlock_with_password(SENCO, SENCO_PASSWORD)
    with pytest.raises(WrongPassword, match="Quick unlock no longer opens"):
        lifecycle.open_with_data_key(db_path, bytes(key), SENCO)
    run = cli("user", "remove", db_path, STAFF, "--user", SENCO, stdin=[SENCO_PASSWORD])
    assert run.code == 0 and "Removed" in run.out and "re-encrypted" in run.out


# --- restoring needs an administrator of the backup ------------------------------------------

def test_only_an_administrator_of_the_backup_may_restore_it(school, senco_session, tmp_path, cli):
    db_path, _ = school
    made = tmp_path / "friday.sendesk-backup"
    backup.backup(senco_session, made)
    senco_session.close()
    target_dir = tmp_path / "restored"
    target_dir.mkdir()
    target = target_dir / "school.sendesk"
    with pytest.raises(PermissionDenied, match=f"{STAFF} is not an administrator in the backup"):
        backup.restore(made, target, STAFF_PASSWORD, STAFF)
    # Found by trying every user's entry: the refusal must not say whose password it was.
    with pytest.raises(PermissionDenied, match="That password is not an administrator's") as no_name:
        backup.restore(made, target, STAFF_PASSWORD)
    assert STAFF not in str(no_name.value)
    assert list(target_dir.iterdir()) == []
    run = cli("restore", made, target, "--user", STAFF, stdin=[STAFF_PASSWORD])
    assert run.code == 1 and len(run.error.strip().splitlines()) == 1
    assert "only an administrator of the backup may restore it" in run.error
    assert list(target_dir.iterdir()) == []
    backup.restore(made, target, SENCO_PASSWORD)
    assert _signs_in(target, SENCO, SENCO_PASSWORD)
