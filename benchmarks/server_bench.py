"""The benchmark on the school server: ``./dev bench --server`` (issue 21, #10).

    ./dev bench --server [--pupils 60000] [--repeat 7] [--load-seconds 60] [--clients 20]

It starts a throwaway PostgreSQL server on this machine (tests/pg_server.py: the installed
server binaries, TLS with verify-full over loopback, SCRAM sign-in), moves the cached
synthetic school onto it with ``server import`` (timed: that is what a school's move costs),
then runs in child processes

* the same core timings as the file (benchmarks/store_bench.py, with the same targets), less
  what belongs to the file alone (creating and unlocking a file, encrypted / plain ratios);
  signing in to the server is timed instead;
* the load test: ``--clients`` processes, each a PC signed in as its own session, doing the
  read-and-edit mix for ``--load-seconds`` seconds (open a pupil's record, search the list,
  and one action in five a save: a pupil's details or a note), with a person's pause of
  0.2-1 s between actions. Every action's time is kept; the 95th percentile must stay under
  50 ms and no action may fail. A search is timed to its first screen, as a person sees it;
  when it found more than a block, the whole list the app then reads in the background is
  timed apart (its own line, no target) and its work still loads the server.

The SQLCipher figures for the same size are the last file run's (benchmarks/.data/results-N.json),
printed beside these. The window timings (ui_bench, stall) run on the file only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sendesk.records import notes, pupil_list, pupils
from sendesk.records.pupil_list import PupilFilter

from . import data
from .measure import Result, Samples, peak_rss_mb, timed
from .store_bench import FIRST_BLOCK, Bench, first_screen, pick_pupils, read_record

TARGET_P95 = 50.0
TESTS = Path(__file__).resolve().parent.parent / "tests"


def _postmaster(url: str) -> int:
    """The server's main process (the parent of the backend serving a connection)."""
    session = data.open_session(url)  # type: ignore[arg-type]
    try:
        backend = session.db.backend_pid
    finally:
        session.close()
    return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _server_ns(postmaster: int) -> int:
    """CPU nanoseconds used so far by the server's processes that are running now (the
    throwaway server serves this benchmark alone; a backend that ended in between is lost)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                total += int((stat.parent / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


def _schedstat(pid: int | str | None) -> tuple[int, int]:
    """Nanoseconds one process has so far spent on a CPU, and waiting for one while ready to
    run (Linux's /proc/PID/schedstat; 0, 0 once it is gone): on a machine with fewer cores
    than busy processes, the second is the time lost to the others."""
    try:
        ran, queued = Path(f"/proc/{pid}/schedstat").read_text().split()[:2] if pid else (0, 0)
        return int(ran), int(queued)
    except (OSError, ValueError):
        return 0, 0


def server_timed(postmaster: int) -> Any:
    """measure.timed, with the server's CPU time beside the wall and client CPU times: on a
    loaded machine wall time grows with everyone else's work, CPU time does not, and half of
    a screen's work on the server is the server's."""
    def run(action: Any, repeat: int, warmup: int = 1, between: Any = None) -> Samples:
        samples = Samples()
        samples.server = []  # type: ignore[attr-defined]
        for index in range(warmup + repeat):
            before = _server_ns(postmaster)
            once = timed(action, 1, warmup=0, between=between)
            if index >= warmup:
                samples += once
                samples.cpu += once.cpu  # type: ignore[attr-defined]
                samples.server.append((_server_ns(postmaster) - before) / 1e6)  # type: ignore[attr-defined]
        return samples
    return run


class ServerBench(Bench):
    """store_bench's reads, scroll, edits, documents and transfers, on the server."""

    def add(self, section: str, name: str, samples: list[float], target: float | None = None,
            unit: str = "ms", note: str = "") -> Result:
        result = super().add(section, name, samples, target, unit, note)
        result.server_cpu = list(getattr(samples, "server", []))
        if result.server_cpu:
            print(f"  {'':10} {'':42} server cpu {statistics.median(result.server_cpu):.1f}",
                  file=sys.stderr, flush=True)
        return result

    def database(self) -> None:
        self.add("database", "sign in to the server (TLS + SCRAM, schema check)", timed(
            lambda: data.open_session(self.path).close(), max(3, self.repeat // 2)))

    def encryption(self, session: Any, chosen: dict[str, int]) -> None:
        """Nothing to compare: the server's disk encryption is outside sendesk."""


def core(url: str, repeat: int) -> list[Result]:
    from . import store_bench, transfer_bench
    with data.kdf_seconds("0"), tempfile.TemporaryDirectory(prefix="sendesk-bench-") as tmp:
        # Every timing of store_bench and transfer_bench, in this child process only, also
        # reads the server's CPU time.
        store_bench.timed = transfer_bench.timed = server_timed(_postmaster(url))  # type: ignore[assignment]
        return ServerBench(url, repeat, Path(tmp)).run()  # type: ignore[arg-type]


# --- the load test --------------------------------------------------------------------------

def _client(url: str, seconds: float, seed: int, out: str, ids: list[int],
            chosen: dict[str, int]) -> None:
    """One PC: sign in, then the read-and-edit mix until the time is up. Each action is timed
    with the CPU it cost this process and its server process, and the time the two waited
    for a CPU while ready to run; a search of more than a block
    then reads its whole list, as the app does while the first screen is shown, timed apart
    ("after") because nobody waits for it."""
    rng = random.Random(seed)
    steps: list[dict[str, Any]] = []
    errors: list[str] = []
    session = data.open_session(url)  # type: ignore[arg-type]

    def step(kind: str, work: Callable[..., Any], *args: Any, after: bool = False) -> Any:
        backend = session.db.backend_pid   # this PC's server process, on this machine
        started_server, started_queued = _schedstat(backend)
        started_own_queued = _schedstat("self")[1]
        started, started_cpu = time.perf_counter(), time.process_time()
        result = None
        try:
            result = work(session, *args)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, not hidden
            errors.append(f"{type(exc).__name__}: {exc}")
        ms, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        (server, queued), own_queued = _schedstat(backend), _schedstat("self")[1]
        steps.append({"kind": kind, "after": after, "ms": ms, "cpu": cpu,
                      "server": max(0, server - started_server) / 1e6,
                      "queued": (max(0, queued - started_queued)
                                 + own_queued - started_own_queued) / 1e6})
        return result

    try:
        typed = ["okaf", "smi", "a", "K9404001", "jo"]
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            time.sleep(rng.uniform(0.2, 1.0))
            pupil_id = rng.choice(ids)
            roll = rng.random()
            if roll < 0.4:
                step("open a record", read_record, pupil_id)
            elif roll < 0.8:
                flt = PupilFilter(text=rng.choice(typed))
                complete = step(f"search '{flt.text}'", first_screen, flt)
                if complete is False:
                    step(f"search '{flt.text}'", pupil_list.search_ids, flt, after=True)
            elif roll < 0.9:
                step("save details", pupils.update_pupil, chosen["typical"],
                     {"class_name": f"Load {rng.randrange(1000)}"})
            else:
                step("add a note", notes.add_note, pupil_id, {
                    "event_date": data.CLOCK.today(), "concern": "Load test note.",
                    "agreed_actions": "None; invented."})
    finally:
        session.close()
    Path(out).write_text(json.dumps({"steps": steps, "errors": errors}))


def _by_kind(steps: list[dict[str, Any]], measure: str) -> str:
    """Each kind of action's median and 95th percentile of one measure (its time, or its
    CPU): which actions make the tail."""
    grouped: dict[str, list[float]] = {}
    for found in steps:
        grouped.setdefault(found["kind"], []).append(found[measure])
    parts = []
    for kind, values in sorted(grouped.items()):
        values.sort()
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        parts.append(f"{kind} {len(values)}: {statistics.median(values):.0f} / {p95:.0f}")
    return "; ".join(parts)


def load(url: str, clients: int, seconds: float) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="sendesk-load-") as tmp:
        outs = [str(Path(tmp) / f"client-{n}.json") for n in range(clients)]
        # The roll and the pupils to edit are read once, here: each client reading them for
        # itself (two statements of 0.4 s of the server's CPU) kept a 2-core machine busy for
        # the first seconds of the run.
        session = data.open_session(url)  # type: ignore[arg-type]
        try:
            ids = pupil_list.search_ids(session, PupilFilter())
            chosen = pick_pupils(session)
        finally:
            session.close()
        load_before = os.getloadavg()[0]
        context = multiprocessing.get_context("spawn")
        workers = [context.Process(target=_client, args=(url, seconds, n, out, ids, chosen))
                   for n, out in enumerate(outs)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        steps: list[dict[str, Any]] = []
        errors: list[str] = []
        for out in outs:
            if not Path(out).exists():
                errors.append("a client process stopped without reporting")
                continue
            found = json.loads(Path(out).read_text())
            steps += found["steps"]
            errors += found["errors"]
    actions = [found for found in steps if not found["after"]]
    after = [found for found in steps if found["after"]]
    label = f"{clients} PCs at once, read-and-edit mix for {seconds:.0f} s"
    note = (f"{len(actions):,} actions, {len(errors)} failed; load average {load_before:.1f} "
            f"before, {os.getloadavg()[0]:.1f} after"
            + (f" (first: {errors[0][:120]})" if errors else "")
            + f". Median / 95th percentile ms by action: {_by_kind(actions, 'ms')}."
            f" CPU ms per action, the client's own: {_by_kind(actions, 'cpu')}"
            f"; its server process's: {_by_kind(actions, 'server')}."
            f" Ms the two spent ready to run but waiting for a CPU: {_by_kind(actions, 'queued')}."
            f" The whole list after a search of more than {FIRST_BLOCK}, read while its first"
            f" screen is shown (ms; client CPU; server CPU): {_by_kind(after, 'ms')};"
            f" {_by_kind(after, 'cpu')}; {_by_kind(after, 'server')}")
    return [Result("load", f"{label}: each action", [found["ms"] for found in actions],
                   TARGET_P95, note=note),
            Result("load", f"{label}: failed actions", [float(len(errors))], 1, "errors",
                   note=note),
            Result("load", f"{label}: the whole list after a search, while its first screen "
                   "is shown", [found["ms"] for found in after], note=note)]


# --- the parent: server, import, children ------------------------------------------------

def start_server() -> Any:
    sys.path.insert(0, str(TESTS))   # the test suite's throwaway server (tests/pg_server.py)
    from pg_server import start_server as start
    return start()


def move_onto(server: Any, database: Path) -> tuple[str, Result]:
    """The cached file's school moved onto a new database on the server (server import)."""
    from pg_server import SUPERUSER, SUPERUSER_PASSWORD
    from sendesk.services import server_move
    name = server.acquire()
    session = data.open_session(database)
    try:
        started = time.perf_counter()
        report = server_move.import_to_server(session, server.url(name, user=SUPERUSER),
                                              SUPERUSER_PASSWORD, data.PASSWORD)
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        session.close()
    return server.url(name), Result(
        "server", "move the school onto the server (server import, checked row for row)",
        [elapsed], note=f"{report.rows:,} rows in {report.tables} tables")


def side_by_side(file_results: list[Result], server_results: list[Result], size: int) -> str:
    from .__main__ import cell, target_text
    on_file = {(r.section, r.name): r for r in file_results}
    header = ["section", "measure", "target", f"SQLCipher file, {size:,}",
              f"PostgreSQL server, {size:,}", "server: CPU ms, client + server"]
    lines = ["| " + " | ".join(header) + " |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for result in server_results:
        mark = " !" if (result.target is not None and result.samples
                        and (result.p95 if result.section == "load" else result.median) >= result.target) else ""
        server_cell = cell(result) + mark
        if result.section == "load" and result.unit == "ms" and result.samples:
            server_cell = (f"{result.median:.1f} / {result.p95:.1f} "
                           f"(max {max(result.samples):.0f}){mark}")
        if result.unit == "errors":
            server_cell = f"{result.median:.0f}{mark}"
        file_cell = cell(on_file.get((result.section, result.name)))
        cpu_cell = ""
        if result.cpu and result.server_cpu:
            cpu_cell = (f"{statistics.median(result.cpu):.1f} + "
                        f"{statistics.median(result.server_cpu):.1f}")
        lines.append("| " + " | ".join([result.section, result.name, target_text(result),
                                        file_cell, server_cell, cpu_cell]) + " |")
    return "\n".join(lines)


def run(size: int, repeat: int, clients: int, seconds: float, rebuild: bool) -> int:
    from .__main__ import run_child
    database = data.ensure_database(size, rebuild)
    server = start_server()
    try:
        print(f"Moving {size:,} pupils onto the server ...", file=sys.stderr, flush=True)
        url, moved = move_onto(server, database)
        print(f"  {moved.name}: {moved.median / 1000:.0f} s ({moved.note})", file=sys.stderr)
        results = [moved] + run_child("server_bench", url, repeat)  # type: ignore[arg-type]
        print(f"{clients} clients for {seconds:.0f} s ...", file=sys.stderr, flush=True)
        results += load(url, clients, seconds)
    finally:
        server.remove()
    results.append(Result("memory", "peak memory, parent (import)", [peak_rss_mb()], unit="MB"))
    (data.DATA / f"results-server-{size}.json").write_text(
        json.dumps([r.as_dict() for r in results], indent=1))
    saved = data.DATA / f"results-{size}.json"
    on_file = [Result(**raw) for raw in json.loads(saved.read_text())] if saved.exists() else []
    print("Cells: median / 95th percentile, in ms unless marked; the load test's cell is median / "
          "95th percentile (max) of every action.\n")
    print(side_by_side(on_file, results, size))
    print("\nLoad test: " + next((r.note for r in results if r.section == "load"), "not run"))
    print(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    bad = [r for r in results if r.section == "load" and r.samples
           and (r.p95 if r.unit == "ms" else r.median) >= (r.target or float("inf"))]
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    """The child: the core timings on the server's copy (given by URL)."""
    parser = argparse.ArgumentParser(description="Core timings on the school server.")
    parser.add_argument("database", help="postgresql:// URL of the moved school")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("SENDESK_KDF_SECONDS", "0")
    results = core(args.database, args.repeat)
    args.out.write_text(json.dumps([r.as_dict() for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

