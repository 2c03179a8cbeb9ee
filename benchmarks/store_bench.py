"""The core's side of the benchmark: every query the app makes for the measured screens,
timed on a working copy of the synthetic school, then the same reads on an unencrypted copy.

    python -m benchmarks.store_bench DB --repeat 7 --out results.json

Run by benchmarks/__main__.py in a child process, so the peak memory it reports is this
work's alone. The unencrypted copy is made with sqlcipher_export into a temporary folder and
deleted at the end: the data is invented, and it never leaves this machine's temp folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3

from sendesk.models.registers import RegisterKind
from sendesk.records import (
    apdr,
    census,
    dashboard,
    governors_report,
    impact,
    notes,
    provision_map,
    pupil_list,
    pupil_record,
    pupils,
    specialists,
)
from sendesk.records.pupil_list import PupilFilter
from sendesk.services import lifecycle
from sendesk.session import Session
from sendesk.store.database import Database

from . import data
from .measure import Result, paired, peak_rss_mb, timed

SCREEN = 50  # rows the list shows at once on a school PC's screen (at most)
# The block of ids a search reads first, with its cells (ui/lazy_table.BLOCK): the list is
# shown from it, and only when there are more is the whole list read, after.
FIRST_BLOCK = 200
TYPED = "okaf"  # typed one letter at a time: common, then rare


def list_cases() -> list[tuple[str, PupilFilter]]:
    return [("status E (EHC plan)", PupilFilter(status="E")),
            ("status K (SEN support)", PupilFilter(status="K")),
            ("on the SEN register (E or K)", PupilFilter(status="register")),
            ("not on the register", PupilFilter(status="none")),
            ("primary need SLCN", PupilFilter(need="SLCN")),
            ("year group 7", PupilFilter(year_group="7")),
            ("register: EAL", PupilFilter(registers=frozenset({RegisterKind.EAL}))),
            ("register: looked after", PupilFilter(
                registers=frozenset({RegisterKind.LOOKED_AFTER}))),
            ("register: medical", PupilFilter(registers=frozenset({RegisterKind.MEDICAL}))),
            ("register: monitoring", PupilFilter(registers=frozenset({RegisterKind.MONITORING}))),
            ("review overdue", PupilFilter(review_overdue=True)),
            ("parent notification due", PupilFilter(notification_due=True)),
            ("K + year 7 + text 'a'", PupilFilter(status="K", year_group="7", text="a")),
            ("including leavers", PupilFilter(include_archived=True)),
            ("sort by year", PupilFilter(sort="year")),
            ("sort by status", PupilFilter(sort="status")),
            ("sort by next review", PupilFilter(sort="review")),
            ("sort by name, descending", PupilFilter(descending=True))]


def first_screen(session: Session, flt: PupilFilter) -> bool:
    """What the list does for one search before it is shown (ui/pupil_list_page.py): the
    first block's ids in order, then one screenful's cells. Returns whether that block was
    the whole list (if not, the app reads the rest next, while the first screen is shown)."""
    ids, complete = pupil_list.search_first(session, flt, FIRST_BLOCK)
    pupil_list.fetch_rows(session, ids[:SCREEN])
    return complete


def read_record(session: Session, pupil_id: int) -> None:
    """Every read the pupil record window makes when it opens (profile, contacts, register,
    notes, plans and specialists tabs); opening is audited, as in the app."""
    pupil_record.open_record(session, pupil_id)
    found = apdr.pathways(session, pupil_id)
    apdr.cycle_counts(session, pupil_id)
    specialists.recommendations_not_in_plan(session, pupil_id)
    cycles = [cycle for pathway in found for cycle in pathway.cycles]
    if cycles:
        apdr.delivery_log(session, cycles[-1].id)
    specialists.involvements(session, pupil_id)
    specialists.involvements(session, pupil_id)


def pick_pupils(session: Session) -> dict[str, int]:
    """The pupil with the longest history, and one with a typical SEN history."""
    longest = session.db.scalar(
        "SELECT w.pupil_id FROM apdr_cycles c JOIN send_pathways w ON w.id = c.pathway_id"
        " JOIN pupils p ON p.id = w.pupil_id WHERE p.archived_at IS NULL"
        " GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id LIMIT 1")
    counts = session.db.query(
        "SELECT w.pupil_id, count(*) AS n FROM apdr_cycles c JOIN send_pathways w"
        " ON w.id = c.pathway_id JOIN pupils p ON p.id = w.pupil_id"
        " WHERE p.archived_at IS NULL AND w.status = 'open' GROUP BY w.pupil_id ORDER BY n, w.pupil_id")
    typical = counts[len(counts) // 2]["pupil_id"] if counts else longest
    plain = session.db.scalar("SELECT id FROM pupils WHERE sen_status IS NULL AND archived_at"
                              " IS NULL ORDER BY id LIMIT 1")
    return {"longest": longest, "typical": typical, "plain": plain}


class Bench:
    def __init__(self, path: Path, repeat: int, folder: Path) -> None:
        self.path, self.repeat, self.folder = path, repeat, folder
        self.results: list[Result] = []

    def add(self, section: str, name: str, samples: list[float], target: float | None = None,
            unit: str = "ms", note: str = "") -> Result:
        result = Result(section, name, list(samples), target, unit, note,
                        list(getattr(samples, 'cpu', [])))
        self.results.append(result)
        print(f"  {section:10} {name:42} {result.median:10.1f} {unit}"
              + (f" (cpu {statistics.median(result.cpu):.1f})" if result.cpu else ""), file=sys.stderr,
              flush=True)
        return result

    def missing(self, section: str, name: str, why: str) -> None:
        self.results.append(Result(section, name, [], note=why))
        print(f"  {section:10} {name:42} not available: {why}", file=sys.stderr, flush=True)

    # -- database ----------------------------------------------------------------------------
    def database(self) -> None:
        quick = max(3, self.repeat // 2)
        counter = iter(range(10_000))

        def create() -> None:
            target = self.folder / f"new-{next(counter)}.sendesk"
            session, _ = lifecycle.create(target, school_name="Benchmark school",
                                          school_reference="123456", username=data.USER,
                                          full_name=data.FULL_NAME, password=data.PASSWORD,
                                          clock=data.CLOCK)
            session.close()

        with data.kdf_seconds(None):
            self.add("database", "create (Argon2id calibrated, ~0.5 s)", timed(create, quick))
        with data.kdf_seconds("0"):
            self.add("database", "create (minimum Argon2id)", timed(create, quick))
        self.add("database", "unlock with password (Argon2id ~0.5 s)", timed(
            lambda: data.open_session(self.path, data.KDF_USER).close(), quick))
        self.add("database", "unlock with password (minimum Argon2id)", timed(
            lambda: data.open_session(self.path).close(), quick))
        session = data.open_session(self.path)
        key = bytes(session.data_key)
        session.close()
        self.add("database", "unlock without KDF (quick-unlock key)", timed(
            lambda: lifecycle.open_with_data_key(self.path, key, data.USER, data.CLOCK).close(),
            quick))

    # -- reads, on the encrypted database and on the plain copy --------------------------------
    def reads(self, session: Session, chosen: dict[str, int]) -> list[tuple[str, str, Callable[[], Any], float | None]]:
        # A search with more than a block of pupils reads its whole list after the first
        # screen is shown (the count, the scroll bar): timed on its own, with no target, for
        # the searches that have one.
        def after(name: str, flt: PupilFilter) -> tuple[str, str, Callable[[], Any], None]:
            return ("list", f"{name}: the whole list after it",
                    lambda: pupil_list.search_ids(session, flt), None)

        cases: list[tuple[str, str, Callable[[], Any], float | None]] = [
            ("list", "first screen (everyone, by name)",
             lambda: first_screen(session, PupilFilter()), 300),
            after("first screen", PupilFilter())]
        for length in range(1, len(TYPED) + 1):
            typed = TYPED[:length]
            cases.append(("list", f"keystroke to filtered list '{typed}'",
                          lambda typed=typed: first_screen(session, PupilFilter(text=typed)), 50))
            cases.append(after(f"keystroke '{typed}'", PupilFilter(text=typed)))
        cases.append(("list", "search a UPN prefix",
                      lambda: first_screen(session, PupilFilter(text="K9404001")), 50))
        for name, flt in list_cases():
            # A filter answers like a keystroke; a new sort order is a new first screen.
            sort = name.startswith("sort")
            cases.append(("list", name if sort else f"filter: {name}",
                          lambda flt=flt: first_screen(session, flt), 300 if sort else 50))
            if name == "not on the register":
                cases.append(after(f"filter: {name}", flt))
        cases += [
            ("record", "open the longest history", lambda: read_record(session, chosen["longest"]), 100),
            ("record", "open a typical SEN pupil", lambda: read_record(session, chosen["typical"]), 100),
            ("record", "open a pupil not on the register", lambda: read_record(session, chosen["plain"]), 100),
            ("home", "dashboard", lambda: dashboard.dashboard(session), 200),
            ("home", "reviews due", lambda: apdr.reviews_due(session), 200),
            ("home", "costed provision map", lambda: provision_map.build(session, audit=False), 300),
            ("home", "census check", lambda: census.census_check(session), None),
            ("provision", "impact table, this school year",
             lambda: impact.impact_table(session, audit=False), 300),
            ("provision", "impact table by area of need",
             lambda: impact.impact_table(session, breakdown="area", audit=False), 300),
            ("provision", "impact table, last three years",
             lambda: impact.impact_table(session, "01/09/2023", audit=False), 300),
            # Worked out afresh each time, as after any change (the figures are kept for the
            # next preview while nothing changes: that is the second measure).
            ("reports", "governors' figures 2025/26",
             lambda: (governors_report.forget(session),
                      governors_report.figures(session, "2025/26", audit=False)), 300),
            ("reports", "governors' figures 2025/26 again, nothing changed",
             lambda: governors_report.figures(session, "2025/26", audit=False), 300),
        ]
        return cases

    def full_scroll(self, session: Session) -> None:
        ids = pupil_list.search_ids(session, PupilFilter())

        def scroll() -> None:
            for start in range(0, len(ids), 200):  # the table model's block size
                pupil_list.fetch_rows(session, ids[start:start + 200])

        self.add("list", f"full scroll, cells for all {len(ids):,} rows",
                 timed(scroll, max(3, self.repeat // 2)))

    def edits(self, session: Session, chosen: dict[str, int]) -> None:
        pupil_id = chosen["typical"]
        original = session.db.scalar("SELECT class_name FROM pupils WHERE id = ?", (pupil_id,))
        flip = iter(range(10_000))

        def save() -> None:
            pupils.update_pupil(session, pupil_id,
                                {"class_name": f"{original}-{next(flip) % 2}"})

        self.add("edit", "save a pupil's details (commit + audit)", timed(save, self.repeat), 50)

        def note() -> None:
            notes.add_note(session, pupil_id, {
                "event_date": data.CLOCK.today(), "concern": "Benchmark note.",
                "agreed_actions": "None; invented."})

        self.add("edit", "add a short note (commit + audit)", timed(note, self.repeat), 50)

    def documents(self, session: Session, chosen: dict[str, int]) -> None:
        pupil_id = chosen["longest"]
        if importlib.util.find_spec("sendesk.documents") and importlib.util.find_spec("sendesk.pdf"):
            from sendesk import documents, pdf
            self.add("documents", "support plan PDF (build + render)", timed(
                lambda: pdf.render_pdf(documents.build_documents(session, pupil_id, "plan")),
                max(3, self.repeat // 2)))
        else:
            self.missing("documents", "support plan PDF (build + render)",
                         "sendesk.documents / sendesk.pdf are not on this branch yet")
        if importlib.util.find_spec("sendesk.transfer"):
            from . import transfer_bench
            transfer_bench.run(self, session, max(3, self.repeat // 2))
        else:
            self.missing("transfer", "export one pupil's transfer package",
                         "sendesk.transfer is not on this branch yet")
            self.missing("transfer", "import one pupil's transfer package",
                         "sendesk.transfer is not on this branch yet")

    def run(self) -> list[Result]:
        self.database()
        session = data.open_session(self.path)
        try:
            chosen = pick_pupils(session)
            for section, name, action, target in self.reads(session, chosen):
                self.add(section, name, timed(action, self.repeat), target)
            self.full_scroll(session)
            self.edits(session, chosen)
            self.add("memory", "peak memory, core: every read and edit above", [peak_rss_mb()],
                     400, "MB")
            self.encryption(session, chosen)
            self.documents(session, chosen)
            self.add("memory", "peak memory, core: after PDFs and transfers", [peak_rss_mb()],
                     unit="MB")
        finally:
            session.close()
        return self.results

    def encryption(self, session: Session, chosen: dict[str, int]) -> None:
        """Each read on the encrypted database and on a plain copy, run alternately, after
        one unmeasured run of each so both start with warm caches."""
        plain = plain_copy(session, self.folder)
        try:
            repeat = max(self.repeat, 9)
            for (_, name, encrypted, _), (_, _, unencrypted, _) in zip(
                    self.reads(session, chosen), self.reads(plain, chosen), strict=False):
                encrypted()
                unencrypted()
                mine, theirs = paired(encrypted, unencrypted, repeat)
                ratio = statistics.median(mine) / max(statistics.median(theirs), 1e-6)
                self.add("encryption", f"{name}: encrypted / plain", [ratio], 1.5, "x",
                         note=f"{statistics.median(mine):.1f} ms / "
                              f"{statistics.median(theirs):.1f} ms")
        finally:
            plain.close()
            for leftover in self.folder.glob("plain.sqlite*"):
                leftover.unlink()


class PlainDatabase(Database):
    """The same connection settings as the encrypted store, on an unencrypted copy."""

    def __init__(self, path: Path) -> None:  # noqa: D107 - Database's docstring applies
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        conn = sqlcipher3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        for pragma in Database.PRAGMAS:
            conn.execute(pragma)
        conn.row_factory = sqlcipher3.Row
        self._conn = conn


def plain_copy(session: Session, folder: Path) -> Session:
    """An unencrypted copy of the open database, as a session with the same user."""
    target = folder / "plain.sqlite"
    session.db.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
    session.db.execute("SELECT sqlcipher_export('plain')")
    session.db.execute("DETACH DATABASE plain")
    with open(target, "rb") as handle:
        assert handle.read(16) == b"SQLite format 3\x00", "the copy should be plain SQLite"
    return Session(PlainDatabase(target), bytearray(32), session.keyfile, session.user,
                   session.school, data.CLOCK)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Core timings on one synthetic database.")
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    with data.kdf_seconds("0"), tempfile.TemporaryDirectory(prefix="sendesk-bench-") as tmp:
        folder = Path(tmp)
        copy = data.working_copy(args.database, folder)
        results = Bench(copy, args.repeat, folder).run()
    args.out.write_text(json.dumps([r.as_dict() for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
