"""The synthetic school databases the benchmarks read, built once per size and kept under
benchmarks/.data/ (ignored by git).

A database is named for its size, seed and GENERATOR_VERSION; bump GENERATOR_VERSION when
the generator changes so stale copies are rebuilt, not measured. A cached database from an
older schema is upgraded on the working copy (before anything is timed), as a school's is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from sendesk.clock import FixedClock
from sendesk.services import lifecycle
from sendesk.session import Session
from sendesk.store.keyfile import keyfile_path

DATA = Path(__file__).resolve().parent / ".data"
GENERATOR_VERSION = 4
SEED = 2026
USER, FULL_NAME = "bench", "Benchmark SENCO"
# A second user whose key is stretched as a real school's is (about half a second here), so
# unlocking can be measured with and without the key derivation.
KDF_USER, KDF_FULL_NAME = "benchkdf", "Benchmark teacher"
PASSWORD = "benchmark-lantern-quietly-47"
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))


def database_path(pupils: int) -> Path:
    return DATA / f"school-{pupils}-seed{SEED}-gen{GENERATOR_VERSION}.sendesk"


@contextlib.contextmanager
def kdf_seconds(value: str | None) -> Iterator[None]:
    """Run with SENDESK_KDF_SECONDS set to value (None: the production default)."""
    old = os.environ.get("SENDESK_KDF_SECONDS")
    if value is None:
        os.environ.pop("SENDESK_KDF_SECONDS", None)
    else:
        os.environ["SENDESK_KDF_SECONDS"] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SENDESK_KDF_SECONDS", None)
        else:
            os.environ["SENDESK_KDF_SECONDS"] = old


def ensure_database(pupils: int, rebuild: bool = False) -> Path:
    """The cached database for this size, built first if missing (minutes at 60,000)."""
    from sendesk.services import users

    from .scale_school import create_scale_school, row_counts

    path = database_path(pupils)
    if rebuild or not path.exists() or not keyfile_path(path).exists():
        for leftover in DATA.glob(path.name + "*"):
            leftover.unlink()
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    partial = path.with_name("building-" + path.name)
    for leftover in DATA.glob(partial.name + "*"):
        leftover.unlink()
    print(f"Building a synthetic school of {pupils:,} pupils (once; kept in {DATA}) ...",
          flush=True)
    started = time.perf_counter()
    with kdf_seconds("0"):
        session, _ = create_scale_school(partial, USER, FULL_NAME, PASSWORD, pupils=pupils,
                                         clock=CLOCK, seed=SEED)
    try:
        with kdf_seconds(None):
            users.add_user(session, KDF_USER, KDF_FULL_NAME, "staff", PASSWORD)
        rows = sum(row_counts(session).values())
    finally:
        session.close()
    for suffix in ("", "-keys"):
        os.replace(str(partial) + suffix, str(path) + suffix)
    print(f"Built in {time.perf_counter() - started:.0f} s: {rows:,} rows, "
          f"{path.stat().st_size / 1e6:.0f} MB.", flush=True)
    return path


def working_copy(source: Path, folder: Path) -> Path:
    """A copy to measure on, so edits and audit entries made while measuring never change the
    cached database and every run starts from the same data."""
    target = folder / source.name
    shutil.copyfile(source, target)
    shutil.copyfile(keyfile_path(source), keyfile_path(target))
    open_session(target).close()  # runs any newer migrations now, outside every timing
    return target


def open_session(path: Path, username: str = USER) -> Session:
    return lifecycle.open_school(path, username, PASSWORD, CLOCK)
