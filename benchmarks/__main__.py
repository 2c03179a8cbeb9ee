"""One command for the whole benchmark:

    ./dev bench [--pupils 2000 20000 60000] [--repeat 7] [--markdown] [--skip-ui] [--rebuild]
                [--skip-stall]
    ./dev bench --pupils 2000 20000 60000 --table-only   (the last run of each, as one table)
    ./dev bench --server [--clients 20] [--load-seconds 60]   (on PostgreSQL: benchmarks/server_bench.py)

For each size it builds the synthetic school once (cached in benchmarks/.data/), then runs the
core timings and the app timings in two child processes (so each reports its own peak
memory) on a throwaway copy, keeps the results in benchmarks/.data/results-N.json, and prints
one table: median and 95th percentile of the repeats, with the issue's target beside each
measure that has one (targets are for 60,000 pupils; a miss there is marked with !).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from . import data
from .measure import Result

SIZES = (2_000, 20_000, 60_000)
TARGET_SIZE = 60_000


def run_child(module: str, database: Path, repeat: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="sendesk-bench-out-") as tmp:
        out = Path(tmp) / "results.json"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SENDESK_KDF_SECONDS="0")
        subprocess.run([sys.executable, "-m", f"benchmarks.{module}", str(database),
                        "--repeat", str(repeat), "--out", str(out)],
                       check=True, env=env, cwd=Path(__file__).resolve().parent.parent)
        return [Result(**raw) for raw in json.loads(out.read_text())]


def cell(result: Result | None) -> str:
    if result is None:
        return ""
    if not result.samples:
        return "not available"
    if result.unit == "x":
        return f"{result.median:.2f}x"
    if result.unit == "MB":
        return f"{result.median:.0f} MB"
    if len(result.samples) == 1:
        return f"{result.median:.0f} ms" if result.median >= 10 else f"{result.median:.1f} ms"
    digits = 0 if result.median >= 100 else 1
    return f"{result.median:.{digits}f} / {result.p95:.{digits}f}"


def missed(result: Result | None) -> bool:
    return (result is not None and result.target is not None and bool(result.samples)
            and result.median >= result.target)


def target_text(result: Result) -> str:
    if result.target is None:
        return ""
    if result.unit == "x":
        return f"< {result.target:g}x"
    return f"< {result.target:g} {result.unit}"


def table(by_size: dict[int, list[Result]], markdown: bool) -> str:
    sizes = sorted(by_size)
    keys: list[tuple[str, str]] = []
    found: dict[tuple[int, str, str], Result] = {}
    for size in sizes:
        for result in by_size[size]:
            key = (result.section, result.name)
            if key not in keys:
                keys.append(key)
            found[(size, *key)] = result
    header = ["section", "measure", "target"] + [f"{size:,} pupils" for size in sizes]
    rows = []
    for section, name in keys:
        sample = next(found[(s, section, name)] for s in sizes if (s, section, name) in found)
        cells = []
        for size in sizes:
            result = found.get((size, section, name))
            text = cell(result)
            if size == TARGET_SIZE and missed(result):
                text += " !"
            cells.append(text)
        rows.append([section, name, target_text(sample)] + cells)
    if markdown:
        lines = ["| " + " | ".join(header) + " |",
                 "| --- | --- | ---: | " + " | ".join("---:" for _ in sizes) + " |"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
    rule = "-+-".join("-" * width for width in widths)
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)), rule]
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            out.append(rule)
        previous = row[0]
        out.append(" | ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1])]
                              + [value.rjust(width) for value, width in zip(row[2:], widths[2:], strict=False)]))
    return "\n".join(out)


def machine() -> str:
    import sqlcipher3
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    connection = sqlcipher3.connect(":memory:")
    cipher = connection.execute("PRAGMA cipher_version").fetchone()[0]
    sqlite = connection.execute("SELECT sqlite_version()").fetchone()[0]
    connection.close()
    load = ""
    if hasattr(os, "getloadavg"):
        one, five, fifteen = os.getloadavg()
        load = f"; load average {one:.2f} {five:.2f} {fifteen:.2f}"
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, PySide6 {pyside_version} "
            f"(Qt {qVersion()}), SQLCipher {cipher} (SQLite {sqlite}){load}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, nargs="+", default=[TARGET_SIZE],
                        choices=SIZES, metavar="N", help="2000, 20000 and/or 60000")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each measure")
    parser.add_argument("--rebuild", action="store_true", help="build the databases afresh")
    parser.add_argument("--skip-ui", action="store_true", help="only the core timings")
    parser.add_argument("--skip-stall", action="store_true",
                        help="not the window stalls (benchmarks/stall.py)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--table-only", action="store_true",
                        help="measure nothing; print the table from each size's last run")
    parser.add_argument("--server", action="store_true", help="on a throwaway PostgreSQL server "
                        "(TLS over loopback), beside the last file run's figures")
    parser.add_argument("--clients", type=int, default=20, help="--server: PCs in the load test")
    parser.add_argument("--load-seconds", type=float, default=60, help="--server: its length")
    args = parser.parse_args(argv)
    if args.server:
        from . import server_bench
        return max(server_bench.run(size, args.repeat, args.clients, args.load_seconds, args.rebuild)
                   for size in sorted(set(args.pupils)))
    by_size: dict[int, list[Result]] = {}
    for size in sorted(set(args.pupils)):
        saved = data.DATA / f"results-{size}.json"
        if args.table_only:
            by_size[size] = [Result(**raw) for raw in json.loads(saved.read_text())]
            continue
        database = data.ensure_database(size, args.rebuild)
        print(f"Measuring {size:,} pupils ({args.repeat} repeats) ...", file=sys.stderr,
              flush=True)
        results = run_child("store_bench", database, args.repeat)
        results += run_child("rekey_bench", database, args.repeat)
        if not args.skip_ui:
            results += run_child("ui_bench", database, args.repeat)
            if not args.skip_stall:
                results += run_child("stall", database, min(args.repeat, 3))
        by_size[size] = results
        saved.write_text(json.dumps([result.as_dict() for result in results], indent=1))
    print()
    if not args.table_only:
        print("Machine: " + machine())
    print("Cells: median / 95th percentile of the repeats, in ms unless marked.\n")
    print(table(by_size, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
