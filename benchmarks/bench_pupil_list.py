"""How fast the pupil list answers on a large school: the first screen, each filter, each sort
and a search typed one keystroke at a time, over a 60,000-pupil demo database.

    python benchmarks/bench_pupil_list.py [--pupils 60000] [--rebuild] [--repeat 7]

The demo database is built once and kept under benchmarks/.data/ (ignored by git); --rebuild
makes a fresh one. Timings are wall-clock milliseconds for search_ids (SQL filter and sort to
ids) and fetch_rows (the columns for one screen of 50 rows): the best and the median of the
repeats. They belong here, not in the unit tests, because they depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

# The benchmark database holds only invented pupils; the cheapest key stretching keeps
# rebuilding it quick and does not change what is measured.
os.environ.setdefault("SENDESK_KDF_SECONDS", "0")

from sendesk.clock import FixedClock  # noqa: E402
from sendesk.models.registers import RegisterKind  # noqa: E402
from sendesk.records import census, dashboard, demo, pupil_list  # noqa: E402
from sendesk.records.pupil_list import PupilFilter  # noqa: E402
from sendesk.session import Session  # noqa: E402
from sendesk.store import lifecycle  # noqa: E402

DATA = Path(__file__).resolve().parent / ".data"
USER, FULL_NAME, PASSWORD = "bench", "Benchmark SENCO", "benchmark-lantern-quietly-47"
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc))
SCREEN = 50


def open_database(pupils: int, rebuild: bool) -> Session:
    path = DATA / f"demo-{pupils}.sendesk"
    if rebuild:
        for leftover in DATA.glob(f"demo-{pupils}.sendesk*"):
            leftover.unlink()
    if path.exists():
        return lifecycle.open_school(path, USER, PASSWORD, CLOCK)
    DATA.mkdir(exist_ok=True)
    started = time.perf_counter()
    # The list reads only the pupils table's summary columns, so APDR pathways are left out
    # to keep building 60,000 pupils quick.
    session, _ = demo.create_demo_school(path, USER, FULL_NAME, PASSWORD, pupils=pupils,
                                        clock=CLOCK, pathways=False)
    print(f"Built {path.name} with {pupils:,} pupils in {time.perf_counter() - started:.1f} s\n")
    return session


def measure(action: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times), result


def cases() -> list[tuple[str, PupilFilter]]:
    typed = "okaf"
    return ([("first screen (everyone, by name)", PupilFilter())]
            + [(f"search keystroke '{typed[:n]}'", PupilFilter(text=typed[:n]))
               for n in range(1, len(typed) + 1)]
            + [("search two words 'sam ok'", PupilFilter(text="sam ok")),
               ("search a UPN prefix", PupilFilter(text="K94040012")),
               ("status E", PupilFilter(status="E")),
               ("status K", PupilFilter(status="K")),
               ("status N (first census only)", PupilFilter(status="N")),
               ("on the SEN register (E or K)", PupilFilter(status="register")),
               ("not on the register", PupilFilter(status="none")),
               ("primary need SLCN", PupilFilter(need="SLCN")),
               ("year group 7", PupilFilter(year_group="7")),
               ("register: EAL", PupilFilter(registers=frozenset({RegisterKind.EAL}))),
               ("register: looked after", PupilFilter(
                   registers=frozenset({RegisterKind.LOOKED_AFTER}))),
               ("register: monitoring", PupilFilter(
                   registers=frozenset({RegisterKind.MONITORING}))),
               ("review overdue", PupilFilter(review_overdue=True)),
               ("parent notification due", PupilFilter(notification_due=True)),
               ("K + year 7 + text 'a'", PupilFilter(status="K", year_group="7", text="a")),
               ("sort by year", PupilFilter(sort="year")),
               ("sort by class", PupilFilter(sort="class")),
               ("sort by status", PupilFilter(sort="status")),
               ("sort by next review", PupilFilter(sort="review")),
               ("sort by name, descending", PupilFilter(descending=True)),
               ("including leavers", PupilFilter(include_archived=True))])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    session = open_database(args.pupils, args.rebuild)
    try:
        print(f"{'case':36} {'matches':>8} {'search best':>12} {'median':>8} "
              f"{'fetch 50':>9}")
        print("-" * 78)
        for label, flt in cases():
            best, median, ids = measure(lambda: pupil_list.search_ids(session, flt), args.repeat)
            fetch, _, _ = measure(lambda: pupil_list.fetch_rows(session, ids[:SCREEN]),
                                  args.repeat)
            print(f"{label:36} {len(ids):8,} {best:10.1f}ms {median:6.1f}ms {fetch:7.1f}ms")
        print("-" * 78)
        for label, action in (("dashboard", lambda: dashboard.dashboard(session)),
                              ("census check", lambda: census.census_check(session))):
            best, median, _ = measure(action, 3)
            print(f"{label:36} {'':8} {best:10.1f}ms {median:6.1f}ms")
    finally:
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
