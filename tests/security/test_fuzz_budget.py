"""A few seconds of the fuzz targets in every test run: seeded random mutation of each target's
seeds (bit flips, inserted and deleted bytes, repeated and spliced runs, huge numbers). The
long, coverage-guided runs are `fuzz/run.py` under atheris (docs/security.md)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fuzz import targets  # noqa: E402

RUNS = 2000
SPECIAL = [b"\x00", b"\xff\xff\xff\xff", b"-1", b"1e999", b"NaN", b'"', b"[" * 200, b"{" * 200,
           b"\r\n", b"\xef\xbb\xbf", b"\xfe\xff", b"=", b"../", "\u202e".encode(),
           b"99999999999999999999", b"9" * 400, b"[" * 5000, b'{"a":' * 40, b"<a>" * 3000,
           b"2026-13-45", b"-1e308"]


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.randrange(6)
        at = rng.randrange(len(buf) + 1)
        if choice == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            buf[at:at] = rng.choice(SPECIAL)
        elif choice == 2 and buf:
            del buf[at:at + rng.randint(1, 64)]
        elif choice == 3 and buf:
            piece = buf[at:at + rng.randint(1, 32)]
            buf[at:at] = piece * rng.randint(1, 50)
        elif choice == 4:
            other = rng.choice(pool)
            cut = rng.randrange(len(other) + 1)
            buf = buf[:at] + other[cut:]
        else:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(buf)


@pytest.mark.parametrize("name", targets.TARGETS)
def test_a_short_fuzzing_run_finds_nothing(name):
    rng = random.Random(f"sendesk-{name}")
    pool = targets.seeds(name)
    for seed in pool:
        targets.run_one(name, seed)
    for _ in range(RUNS if name != "flowchart" else RUNS // 4):
        data = mutate(rng, rng.choice(pool), pool)
        try:
            targets.run_one(name, data)
        except Exception as exc:  # noqa: BLE001 - say which input, so it can be kept as a case
            raise AssertionError(f"{name} let {type(exc).__name__} escape for {data[:200]!r}") from exc


def test_the_seeds_are_accepted_where_they_should_be():
    """Guard against fuzzing only the refusal path: the valid seeds really parse."""
    targets.mis_csv(targets.seeds("mis_csv")[0])
    targets.flowchart_file(targets.seeds("flowchart")[0])
    targets.report_upload(targets.seeds("report_upload")[0])
    for name in ("templates", "transfer_archive", "transfer_manifest", "ctf_xml"):
        targets.TARGETS[name](targets.seeds(name)[0])
