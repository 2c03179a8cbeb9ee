"""Long, coverage-guided fuzzing of one target with atheris (pip install atheris).

    .venv/bin/python fuzz/run.py mis_csv -max_total_time=3600
    .venv/bin/python fuzz/run.py --list

Other arguments go to libFuzzer. The corpus grows in fuzz/corpus/<target>/ (ignored by git),
seeded from fuzz/targets.py. A crash writes crash-* beside it: add that input to the seeds
or to a test, fix the parser, and run again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import atheris  # noqa: E402

with atheris.instrument_imports():
    from fuzz import targets  # noqa: E402


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in targets.TARGETS:
        print("targets: " + ", ".join(targets.TARGETS))
        sys.exit(0 if "--list" in sys.argv else 2)
    name = sys.argv[1]
    corpus = HERE / "corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(targets.seeds(name)):
        (corpus / f"seed-{index}").write_bytes(seed)
    os.environ.setdefault("SENDESK_KDF_SECONDS", "0")
    atheris.Setup([sys.argv[0], *sys.argv[2:], str(corpus)],
                  lambda data: targets.run_one(name, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
