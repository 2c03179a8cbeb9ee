"""Runs one crash scenario many times, each time killed with SIGKILL at a different point.

Started by test_crash_safety.py as `python crash_runner.py SPEC.json` with crashpoint.so in
LD_PRELOAD. It first runs the scenario once to count its disk operations (and, for scenarios
over the database, to record the database's logical content after every step), then for each
chosen kill point copies the starting files into a fresh folder, forks, arms crashpoint in the
child so that it is killed just before that disk operation, and waits; the counts and each
point's outcome go to SPEC.result. The checking happens back in pytest, over the folders left
behind. Nothing here opens the database in the runner
itself, so no child inherits a connection.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import signal
import sys
import traceback
from pathlib import Path

os.environ["SENDESK_KDF_SECONDS"] = "0"

from sendesk.clock import FixedClock  # noqa: E402
from sendesk.records import mis_import, notes, pupils, sen_register  # noqa: E402
from sendesk.services import backup, lifecycle, users  # noqa: E402

SENCO, PASSWORD = "mpatel", "harbour-lantern-quietly-47"
NEW_PASSWORD = "orchid-tumble-riverbank-55"
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
_lib = ctypes.CDLL(None)  # crashpoint.so's functions, once main() has checked they are there


def logical_state(conn) -> str:
    """A hash of every row of every table: equal hashes, equal databases. Each row is pickled
    (exact and self-delimiting for SQLite's values, and far quicker than repr over the large
    stand-in records) and a table's rows are sorted, so the order they are stored in does not
    count."""
    digest = hashlib.sha256()
    digest.update(str(conn.execute("PRAGMA user_version").fetchone()[0]).encode())
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name")]
    for table in tables:
        digest.update(table.encode())
        if conn.execute("SELECT type FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0] == "table":
            rows = sorted(pickle.dumps(tuple(row)) for row in conn.execute(f'SELECT * FROM "{table}"'))
            digest.update(b"".join(rows))
    return digest.hexdigest()


def pupil_csv(count: int) -> bytes:
    from sendesk.models.upn import make_upn
    lines = ["UPN,Surname,Forename,DOB,Gender,Year,Reg Group"]
    lines += [f"{make_upn('940', '4001', 24, 100 + n)},Imported{n},Pupil,03/04/2016,F,5,5W"
              for n in range(count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def pupil(serial: int) -> dict:
    from sendesk.models.upn import make_upn
    return {"upn": make_upn("940", "4001", 24, serial), "legal_surname": f"Crashworth{serial}",
            "legal_forename": "Temitope", "dob": "14/03/2016", "gender": "F",
            "year_group": "Year 5", "class_name": "5W"}


# --- scenarios: each yields after every step that should be all-or-nothing ----------------------

def records(folder: Path):
    session = lifecycle.open_school(folder / "school.sendesk", SENCO, PASSWORD, CLOCK)
    yield session
    first = pupils.add_pupil(session, pupil(1))
    yield session
    second = pupils.add_pupil(session, pupil(2))
    yield session
    sen_register.change_status(session, first, "K", "20/11/2026", "Needs support", ["SPLD"])
    yield session
    notes.add_note(session, second, {"event_date": "20/11/2026", "concern": "Finds reading hard"})
    yield session
    pupils.update_pupil(session, first, {"class_name": "5X"})
    yield session
    mis_import.commit(session, mis_import.preview(session, pupil_csv(25), name="mis.csv"))
    yield session
    session.close()


def user_changes(folder: Path):
    session = lifecycle.open_school(folder / "school.sendesk", SENCO, PASSWORD, CLOCK)
    yield session
    users.add_user(session, "jbloggs", "Jo Bloggs", "staff", NEW_PASSWORD)
    yield session
    users.change_password(session, SENCO, NEW_PASSWORD, PASSWORD)
    yield session
    users.remove_user(session, "owilliams")
    yield session
    session.close()


def rekey(folder: Path):
    """Removing a user re-encrypts the whole database (services/rekey.py)."""
    session = lifecycle.open_school(folder / "school.sendesk", SENCO, PASSWORD, CLOCK)
    yield session
    users.remove_user(session, "owilliams")
    yield session
    session.close()


def make_backup(folder: Path):
    session = lifecycle.open_school(folder / "school.sendesk", SENCO, PASSWORD, CLOCK)
    yield session
    backup.backup(session, folder / "out.sendesk-backup")
    yield session
    session.close()


def restore(folder: Path):
    backup.restore(folder / "earlier.sendesk-backup", folder / "restored.sendesk", PASSWORD)
    yield None


def create(folder: Path):
    session, _ = lifecycle.create(folder / "new.sendesk", school_name="New School",
                                  school_reference="123456", username=SENCO,
                                  full_name="Meera Patel", password=PASSWORD, clock=CLOCK)
    session.close()
    yield None


def recover(folder: Path):
    recovery = (folder / "recovery.txt").read_text()
    lifecycle.recover(folder / "school.sendesk", recovery, SENCO, NEW_PASSWORD, CLOCK).close()
    yield None


def transfer_import(folder: Path):
    """`sendesk-cli transfer import` of a real signed package (a pupil with a large report)
    into the school, as a SENCO runs it, receipt and all. The CLI reads the real clock, so no
    logical states are recorded: the test compares what the pupil's tables hold instead."""
    import io

    from sendesk.cli import main as cli_main
    yield None
    code = cli_main.main(["transfer", "import", str(folder / "school.sendesk"),
                          str(folder / "pupil.sendesk-transfer"), "--user", SENCO,
                          "--passphrase-file", str(folder / "passphrase.txt"),
                          "--receipt-out", str(folder / "receipt.sendesk-receipt")],
                         stdin=io.StringIO(PASSWORD + "\n"))
    if code != 0:
        raise RuntimeError(f"sendesk-cli transfer import ended with {code}")
    yield None


def decrypt_remembered(folder: Path):
    """``age_worker.decrypt`` that opens the package in `folder` once, here, and hands every
    later opening of the same bytes with the same passphrase that plaintext.

    Age's scrypt costs seconds of processor per opening and writes nothing to disk (its child
    process gets and returns the bytes over a pipe, see transfer/age_worker.py), so it adds no
    kill point worth having; paid once before counting, every run and retry of the import
    still goes through all of the package code and makes every one of its disk operations.
    Any other bytes or passphrase are opened for real."""
    from sendesk.transfer import age_worker
    real = age_worker.decrypt
    package = (folder / "pupil.sendesk-transfer").read_bytes()
    passphrase = (folder / "passphrase.txt").read_text().strip()
    plaintext = real(package, passphrase)

    def decrypt(data: bytes, given: str) -> bytes:
        return plaintext if (data, given) == (package, passphrase) else real(data, given)
    return decrypt


SCENARIOS = {"records": records, "users": user_changes, "backup": make_backup, "rekey": rekey,
             "restore": restore, "create": create, "recover": recover,
             "transfer_import": transfer_import}


# Scenarios whose one step (a whole CLI command) holds commits that must land together: kill
# points are also put either side of each commit that wrote a pupil or a transfer, so an
# import that committed the pupil before its transfer row would be caught in between.
COMMIT_EDGES = {"transfer_import"}
# Scenarios that open the package beside the school: opened once, before counting.
PACKAGES = {"transfer_import"}
_WRITES_WATCHED = ("INSERT INTO PUPILS", "INSERT INTO TRANSFERS")


def _watch_commits(edges: list[int]):
    """Record the disk-operation count at each watched COMMIT and at the statement after it
    (when that commit's writes are on disk); returns the function that stops watching."""
    import sqlcipher3
    real = sqlcipher3.connect
    state = {"wrote": False, "committed": False}

    def trace(statement: str) -> None:
        text = " ".join(statement.split()).upper()
        if state["committed"]:
            edges.append(_lib.crashpoint_seen())
            state["committed"] = False
        if text.startswith(_WRITES_WATCHED):
            state["wrote"] = True
        elif text.startswith(("COMMIT", "END")):
            if state["wrote"]:
                edges.append(_lib.crashpoint_seen())
                state["committed"] = True
            state["wrote"] = False

    def connect(*args, **kwargs):
        connection = real(*args, **kwargs)
        connection.set_trace_callback(trace)
        return connection

    sqlcipher3.connect = connect
    return lambda: setattr(sqlcipher3, "connect", real)


def dry_run(scenario, folder: Path, commits: bool = False) -> dict:
    """Count the disk operations and record the database after each step (and, with
    `commits`, where the watched commits fell)."""
    _lib.crashpoint_arm(ctypes.c_long(1 << 60))
    states, boundaries, edges = [], [], []
    stop = _watch_commits(edges) if commits else (lambda: None)
    try:
        for session in scenario(folder):
            boundaries.append(_lib.crashpoint_seen())
            if session is not None:
                with session.db._lock:
                    states.append(logical_state(session.db._connection()))
    finally:
        stop()
    total = _lib.crashpoint_seen()
    _lib.crashpoint_arm(ctypes.c_long(-1))
    return {"events": total, "boundaries": boundaries, "states": states, "commit_edges": edges}


def choose_points(total: int, boundaries: list[int], limit: int) -> list[int]:
    """Evenly spread points, plus the operations either side of every step boundary."""
    points = {1, total}
    for edge in boundaries:
        points.update({edge - 1, edge, edge + 1, edge + 2})
    points.update(1 + (i * (total - 1)) // limit for i in range(limit + 1))
    return sorted(p for p in points if 1 <= p <= total)


def run_point(scenario, folder: Path, point: int) -> str:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _lib.crashpoint_arm(ctypes.c_long(point))
            for _ in scenario(folder):
                pass
        except BaseException:  # noqa: BLE001 - reported to the test, which fails on it
            _lib.crashpoint_arm(ctypes.c_long(-1))
            (folder.parent / f"{folder.name}.error").write_text(traceback.format_exc())
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return "killed"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return "finished"
    return "failed"


def main() -> None:
    _lib.crashpoint_seen.restype = ctypes.c_long  # fails here unless crashpoint.so is preloaded
    spec = json.loads(Path(sys.argv[1]).read_text())
    scenario = SCENARIOS[spec["scenario"]]
    base, work = Path(spec["base"]), Path(spec["work"])
    if spec["scenario"] in PACKAGES:
        from sendesk.transfer import age_worker
        age_worker.decrypt = decrypt_remembered(base)   # before counting: no kill point moves
    dry = work / "dry"
    shutil.copytree(base, dry)
    sys.stdout.flush()
    result = dry_run(scenario, dry, commits=spec["scenario"] in COMMIT_EDGES)
    shutil.rmtree(dry)
    outcomes = {}
    edges = result["boundaries"] + result["commit_edges"]
    for point in choose_points(result["events"], edges, spec["max_points"]):
        folder = work / f"point-{point:05d}"
        shutil.copytree(base, folder)
        sys.stdout.flush()   # each run starts, as the dry run did, with nothing waiting to print
        outcomes[point] = run_point(scenario, folder, point)
    result["points"] = outcomes
    # Beside the spec, not on stdout, which the runs of a CLI command share.
    Path(sys.argv[1]).with_suffix(".result").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
