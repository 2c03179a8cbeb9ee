"""The app's side of the benchmark: the real widgets on Qt's offscreen platform, from clicking
Unlock to the pupil list's first rows painted, then typing, filtering, scrolling, opening
records and refreshing the home pages, each timed until the widget has painted.

    python -m benchmarks.ui_bench DB --repeat 7 --out results.json

Run by benchmarks/__main__.py in a child process, so the peak memory it reports is the app's.
"Painted" means the widget was rendered (QWidget.grab), which is when the model is asked for
the cells on screen, so lazy fetching is inside the timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import data
from .measure import Result, peak_rss_mb, timed
from .store_bench import pick_pupils


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="App timings on one synthetic database.")
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="sendesk-bench-ui-") as tmp:
        os.environ["SENDESK_DATA_DIR"] = str(Path(tmp) / "appdata")
        copy = data.working_copy(args.database, Path(tmp))
        results = UiBench(copy, args.repeat).run()
    args.out.write_text(json.dumps([r.as_dict() for r in results], indent=1))
    return 0


class UiBench:
    def __init__(self, path: Path, repeat: int) -> None:
        from PySide6.QtWidgets import QApplication

        self.path, self.repeat = path, repeat
        self.app = QApplication.instance() or QApplication([])
        self.results: list[Result] = []

    def add(self, section: str, name: str, samples: list[float], target: float | None = None,
            unit: str = "ms") -> None:
        result = Result(section, name, list(samples), target, unit,
                        cpu=list(getattr(samples, 'cpu', [])))
        self.results.append(result)
        print(f"  {section:10} {name:42} {result.median:10.1f} {unit}"
              + (f" (cpu {statistics.median(result.cpu):.1f})" if result.cpu else ""), file=sys.stderr,
              flush=True)

    def settle(self) -> None:
        self.app.processEvents()

    def wait_for(self, done: Callable[[], bool], timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not get there in time")
            self.app.processEvents()
            time.sleep(0.0005)

    def timed_paint(self, action: Callable[[], Any], widget_of: Callable[[], Any],
                    repeat: int | None = None, between: Callable[[], Any] | None = None) -> list[float]:
        def run() -> None:
            action()
            widget_of().grab()

        def reset() -> None:
            if between is not None:
                between()
            self.settle()

        return timed(run, repeat or self.repeat, between=reset)

    # -- opening the app -----------------------------------------------------------------------
    def open_app(self) -> Any:
        from sendesk.settings import Settings
        from sendesk.ui.controller import AppController

        controller = AppController(self.app, Settings(), clock=None)
        started = time.perf_counter()
        controller.start(self.path)
        dialog = controller.unlock_dialog
        dialog.username.setText(data.KDF_USER)
        dialog.password.setText(data.PASSWORD)
        dialog.unlock_button.click()
        self.wait_for(lambda: controller.workspace is not None)
        unlocked = time.perf_counter()
        page = controller.main_window.show_page("pupils")
        controller.main_window.grab()
        shown = time.perf_counter()
        assert page.model.rowCount() > 0 and page.model.row(0), "the list should show pupils"
        self.add("open app", "unlock to first rows of the pupil list", [(shown - started) * 1000])
        self.add("open app", "of which: password, KDF and opening the database + building "
                 "every page", [(unlocked - started) * 1000])
        self.add("open app", "of which: pupil list painted", [(shown - unlocked) * 1000])
        return controller

    # -- the pupil list ------------------------------------------------------------------------
    def pupil_list(self, page: Any) -> None:
        from PySide6.QtCore import Qt

        viewport = page.table.viewport
        self.add("list (app)", "first screen (everyone, by name)", self.timed_paint(
            page.refresh, viewport, between=lambda: page.model.invalidate()), 300)
        for length in range(1, 5):
            typed = "okaf"[:length]
            self.add("list (app)", f"keystroke to filtered list '{typed}'", self.timed_paint(
                lambda typed=typed: page.search.setText(typed), viewport,
                between=lambda typed=typed: page.search.setText(typed[:-1])), 50)
        page.search.setText("")
        combos = [(page.status, "status"), (page.need, "primary need"), (page.year, "year"),
                  (page.register, "register")]
        for combo, label in combos:
            for index in range(1, combo.count()):
                if label in ("primary need", "year") and combo.itemData(index) not in ("SLCN", "7"):
                    continue
                self.add("list (app)", f"filter {label}: {combo.itemText(index)}", self.timed_paint(
                    lambda combo=combo, index=index: combo.setCurrentIndex(index), viewport,
                    between=lambda combo=combo: combo.setCurrentIndex(0)), 50)
            combo.setCurrentIndex(0)
        for box in (page.overdue, page.notification, page.leavers):
            self.add("list (app)", f"filter: {box.text()}", self.timed_paint(
                lambda box=box: box.setChecked(True), viewport,
                between=lambda box=box: box.setChecked(False)), 50)
            box.setChecked(False)
        header = page.table.horizontalHeader()
        self.add("list (app)", "sort by year (click the header)", self.timed_paint(
            lambda: header.setSortIndicator(2, Qt.SortOrder.AscendingOrder), viewport,
            between=lambda: header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)), 300)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.settle()
        bar = page.table.verticalScrollBar()

        def scroll() -> None:
            for value in range(0, bar.maximum() + bar.pageStep(), bar.pageStep()):
                bar.setValue(value)
                viewport().grab()

        def top() -> None:
            bar.setValue(0)
            page.model.invalidate()

        rows = page.model.rowCount()
        # Thousands of screens at 60,000 pupils: one pass says enough there.
        passes = 1 if rows > 10_000 else max(2, self.repeat // 3)
        samples = timed(scroll, passes, warmup=0, between=top)
        self.add("list (app)", f"full scroll, a screen at a time ({rows:,} rows)", samples)
        screens = len(range(0, bar.maximum() + bar.pageStep(), bar.pageStep()))
        per_screen = [sample / screens for sample in samples]
        self.add("list (app)", "full scroll: each screen", per_screen)

    # -- records and home pages ----------------------------------------------------------------
    def records(self, controller: Any) -> None:
        workspace = controller.workspace
        chosen = pick_pupils(controller.session)

        def close_all() -> None:
            for window in list(workspace.records.values()):
                window.close()
                window.deleteLater()
            workspace.records.clear()
            self.settle()

        for key, label in (("longest", "the longest history"), ("typical", "a typical SEN pupil"),
                           ("plain", "a pupil not on the register")):
            self.add("record (app)", f"open {label}", self.timed_paint(
                lambda key=key: workspace.open_pupil(chosen[key]),
                lambda key=key: workspace.records[chosen[key]], between=close_all), 100)
        close_all()

    def home(self, controller: Any) -> None:
        workspace = controller.workspace
        self.add("home (app)", "dashboard refresh", self.timed_paint(
            workspace.home.refresh, lambda: workspace.home), 200)
        self.add("home (app)", "reviews due refresh", self.timed_paint(
            workspace.reviews_due.refresh, lambda: workspace.reviews_due), 200)
        self.reports(controller)

    def reports(self, controller: Any) -> None:
        """The impact page, the whole-school map and the governors' figures, read and painted."""
        from sendesk.ui.governors_report_window import GovernorsReportWindow
        workspace, window = controller.workspace, controller.main_window
        for key, page in (("impact", workspace.impact), ("provision_map", workspace.provision_map)):
            window.show_page(key)
            self.settle()
            self.add("reports (app)", f"{key.replace('_', ' ')} page refresh", self.timed_paint(
                page.refresh, lambda page=page: page), 500)
        governors = GovernorsReportWindow(workspace.session, window, runner=workspace.runner)
        governors.show()
        governors.year.setCurrentIndex(governors.year.findText("2025/26"))
        from sendesk.records import governors_report
        # Worked out afresh each time, as after a change; then again with nothing changed
        # (the figures kept, the pages laid out and painted again).
        self.add("reports (app)", "governors' report preview 2025/26", self.timed_paint(
            governors.panel.refresh, lambda: governors,
            between=lambda: governors_report.forget(workspace.session)), 500)
        self.add("reports (app)", "governors' report preview 2025/26 again, nothing changed",
                 self.timed_paint(governors.panel.refresh, lambda: governors), 500)
        governors.close()
        window.show_page("pupils")

    def run(self) -> list[Result]:
        controller = self.open_app()
        try:
            page = controller.workspace.pupils
            self.pupil_list(page)
            self.records(controller)
            self.home(controller)
            self.add("memory", "peak memory, the app (all of the above)", [peak_rss_mb()], 400,
                     "MB")
        finally:
            controller.lock()
            if controller.unlock_dialog is not None:
                controller.unlock_dialog.rejected.disconnect()
                controller.unlock_dialog.close()
        return self.results


if __name__ == "__main__":
    sys.exit(main())
