"""The benchmark suite still runs end to end (on a small school), so `./dev bench` does not
break unnoticed when a feature changes a rule it relies on: sending a transfer once started
to require consent to share, and the benchmark stopped with a traceback.

No timing is asserted here; the figures belong in docs/performance.md.
"""

from __future__ import annotations

import pytest
from benchmarks import __main__ as bench_main
from benchmarks import data

PUPILS = 150

pytestmark = pytest.mark.slow  # the whole benchmark suite in child processes, about two minutes


@pytest.fixture()
def small_school(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA", tmp_path / "data")
    return data.ensure_database(PUPILS)


def measures(results) -> dict[tuple[str, str], list[float]]:
    return {(r.section, r.name): r.samples for r in results}


def test_the_core_benchmark_measures_every_section(small_school):
    found = measures(bench_main.run_child("store_bench", small_school, 1))
    sections = {section for section, _ in found}
    assert {"database", "list", "record", "edit", "home", "documents", "transfer",
            "encryption", "memory"} <= sections, sections
    exported = [samples for (section, name), samples in found.items()
                if section == "transfer" and name.startswith("export")]
    assert exported and all(exported[0]), "the transfer export was not measured"


def test_the_app_benchmark_opens_the_app_and_records(small_school):
    found = measures(bench_main.run_child("ui_bench", small_school, 1))
    opened = [samples for (section, name), samples in found.items()
              if section == "record (app)" and name.startswith("open")]
    assert len(opened) == 3 and all(opened)
    assert found[("home (app)", "dashboard refresh")]


def test_the_server_benchmark_moves_the_school_and_runs_the_load_test(small_school, pg_server):
    """`./dev bench --server` in small: the scale school moved onto the test server with
    server import, then PCs at once doing the read-and-edit mix without one failure."""
    from urllib.parse import urlparse

    from benchmarks import server_bench
    url, moved = server_bench.move_onto(pg_server, small_school)
    try:
        assert moved.samples and "rows" in moved.note
        each, failed, _after = server_bench.load(url, clients=2, seconds=3)
        assert each.samples, "no action was timed"
        assert failed.samples == [0.0], each.note
    finally:
        pg_server.release(urlparse(url).path.lstrip("/"))
