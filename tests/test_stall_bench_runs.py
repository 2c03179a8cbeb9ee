"""The window-stall benchmark (benchmarks/stall.py) still runs end to end on a small school:
a backup, a transfer package out and in, an MIS import, the SEND file PDF, the governors'
report preview and the provision map page, each started the
way the window starts it while a timer types into the pupil search.

No timing is asserted here (the machine running the tests is not the one the figures are for);
the figures belong in docs/performance.md.
"""

from __future__ import annotations

import pytest
from benchmarks import __main__ as bench_main
from benchmarks import data

PUPILS = 150

pytestmark = pytest.mark.slow


@pytest.fixture()
def small_school(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA", tmp_path / "data")
    return data.ensure_database(PUPILS)


def test_the_stall_benchmark_measures_each_piece_of_long_work(small_school):
    found = {r.name: r for r in bench_main.run_child("stall", small_school, 1)}
    assert set(found) == {"a backup", "a transfer package out", "a transfer package in",
                          "an MIS import of 2,000 rows", "the full SEND file PDF",
                          "the governors' report preview 2025/26",
                          "the provision map page refreshed"}, set(found)
    for result in found.values():
        assert result.section == "stall (app)" and result.target == 100
        assert len(result.samples) == 1 and result.samples[0] > 0, result
