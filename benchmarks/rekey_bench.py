"""Re-encrypting the whole database under a new key, as removing a user does
(services/rekey.py): SQLCipher copies and re-encrypts every page, the removal is made in the
copy and the new key file written, then both switch into place.

Run by benchmarks/__main__.py in its own child process on a throwaway copy. Each run removes a
different user added for the purpose, so every run re-encrypts the same school.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from sendesk.operations import Progress
from sendesk.services import users

from . import data
from .measure import Result, timed

PASSWORD = "benchmark-orchid-tumble-55"


def run(path: Path, repeat: int) -> list[Result]:
    session = data.open_session(path)
    try:
        runs = max(1, min(repeat, 3))  # about 30 s each at 60,000 pupils
        names = [f"leaver{n}" for n in range(runs + 1)]
        for name in names:
            users.add_user(session, name, f"Leaving Colleague {name[6:]}", "staff", PASSWORD)
        pending = iter(names)
        reports: list[int] = []
        samples = timed(lambda: users.remove_user(
            session, next(pending), Progress(lambda done, total, text: reports.append(done))), runs)
        size = path.stat().st_size / 1e6
    finally:
        session.close()
    return [Result("users", "remove a user: re-encrypt the database under a new key",
                   list(samples), note=f"{size:.0f} MB database; progress reported "
                                      f"{len(reports)} times", cpu=list(samples.cpu))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-encryption time on one synthetic database.")
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    with data.kdf_seconds("0"), tempfile.TemporaryDirectory(prefix="sendesk-bench-") as tmp:
        results = run(data.working_copy(args.database, Path(tmp)), args.repeat)
    args.out.write_text(json.dumps([r.as_dict() for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
