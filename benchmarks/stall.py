"""How long the window stops answering while long work runs, with the user typing.

    python -m benchmarks.stall DB --repeat 3 --out results.json

The real app on Qt's offscreen platform, unlocked on the synthetic school. A QTimer types into
the pupil search (a key every 30 ms: "o", "ok", "oka", "okaf", then back again), which is what
a SENCO does while a backup runs. Meanwhile each of these is started the way the window starts
it, and the longest gap between two timer ticks while it ran is reported (the event loop did
not answer for that long; a gap under 100 ms is not felt):

* a backup (File > Back up, through the controller);
* a transfer package out (the full SEND file as a PDF, encrypted and signed);
* a transfer package in (opened, checked and imported), sent by a small demo school;
* an MIS import of 2,000 rows (preview, then commit, through the import wizard);
* the full SEND file PDF (built and saved, as the Documents tab does);
* the whole-school provision map page refreshed (16,000 rows at a county's size);
* the governors' report preview for 2025/26 (Preview pressed: the figures and pages built,
  then the pages in view painted; dozens of pages at a county's size).

The work is started through the window's runner (``workspace.runner``) when the window has
one; on older code it is started as that window did (the backup and the sending on its worker
thread, the rest on the GUI thread), so the same script measures before and after.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import data
from .measure import Result

TICK_MS = 30
TYPED = ["o", "ok", "oka", "okaf", "oka", "ok", "o", ""]
IMPORT_ROWS = 2_000
TARGET_MS = 100.0
SECTION = "stall (app)"
JOBS = ("backup", "transfer", "import", "pdf", "governors", "map")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Window stalls on one synthetic database.")
    parser.add_argument("database", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=None, choices=JOBS, help="some of the work")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="sendesk-bench-stall-") as tmp:
        os.environ["SENDESK_DATA_DIR"] = str(Path(tmp) / "appdata")
        copy = data.working_copy(args.database, Path(tmp))
        results = StallBench(copy, Path(tmp), args.repeat).run(args.only or JOBS)
    args.out.write_text(json.dumps([r.as_dict() for r in results], indent=1))
    return 0


def _demo_school() -> Callable[..., Any]:
    try:   # the demo school is moving out of the repositories into its own package
        from sendesk.demo import create_demo_school  # type: ignore[import-not-found,attr-defined]
    except ImportError:
        from sendesk.records.demo import create_demo_school
    return create_demo_school


class StallBench:
    def __init__(self, path: Path, folder: Path, repeat: int) -> None:
        from PySide6.QtWidgets import QApplication

        self.path, self.folder = path, folder
        self.app = QApplication.instance() or QApplication([])
        self.results: list[Result] = []
        self.ticks: list[float] = []
        self.typed = 0
        self.counter = 0
        self.controller: Any = None
        self.runs = max(1, min(3, repeat)) if self._pupils() < 10_000 else 1

    def _pupils(self) -> int:
        session = data.open_session(self.path)
        try:
            return int(session.db.query_one("SELECT count(*) AS n FROM pupils")["n"])
        finally:
            session.close()

    # -- the app and the typing -----------------------------------------------------------------
    def open_app(self) -> None:
        from sendesk.settings import Settings
        from sendesk.ui.controller import AppController

        controller = AppController(self.app, Settings(), clock=None)
        controller.start(self.path)
        dialog = controller.unlock_dialog
        dialog.username.setText(data.USER)
        dialog.password.setText(data.PASSWORD)
        dialog.unlock_button.click()
        deadline = time.monotonic() + 300
        while controller.workspace is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not unlock")
            self.app.processEvents()
            time.sleep(0.001)
        controller.main_window.show_page("pupils")
        self.controller = controller

    @property
    def workspace(self) -> Any:
        return self.controller.workspace

    @property
    def session(self) -> Any:
        return self.controller.session

    def tick(self) -> None:
        """A tick says the event loop answered; the key it types is posted, as a key press is,
        so that a search waiting for the worker (in a local event loop) does not hold back the
        next tick (Qt does not fire a timer again while its last timeout is still running)."""
        from PySide6.QtCore import QTimer

        self.ticks.append(time.perf_counter())
        self.typed += 1
        QTimer.singleShot(0, self.type_key)

    def type_key(self) -> None:
        if self.controller is not None and self.workspace is not None:
            self.workspace.pupils.search.setText(TYPED[self.typed % len(TYPED)])

    def measure(self, name: str, start: Callable[[Callable[..., None]], None],
                timeout: float = 900.0) -> None:
        """Run start(done) with the typing going; one sample (ms) per run: the longest gap."""
        from PySide6.QtCore import QEventLoop, QTimer

        samples = []
        for _ in range(self.runs):
            loop = QEventLoop()
            outcome: dict[str, Any] = {}

            def done(value: Any = None, outcome: dict[str, Any] = outcome,
                     loop: QEventLoop = loop) -> None:
                outcome.setdefault("value", value)
                loop.quit()

            typing = QTimer()
            typing.setInterval(TICK_MS)
            typing.timeout.connect(self.tick)
            self.ticks = []
            typing.start()
            guard = QTimer()
            guard.setSingleShot(True)
            guard.timeout.connect(loop.quit)
            guard.start(int(timeout * 1000))
            # A few ticks before the work starts, so the gap around its start is seen too.
            QTimer.singleShot(4 * TICK_MS, lambda: start(done))
            began = time.perf_counter()
            loop.exec()
            ended = time.perf_counter()
            # And one more tick after it ends.
            while len(self.ticks) < 2 or self.ticks[-1] < ended:
                self.app.processEvents()
                time.sleep(0.001)
            typing.stop()
            guard.stop()
            if isinstance(outcome.get("value"), BaseException):
                raise RuntimeError(f"{name} failed") from outcome["value"]
            if "value" not in outcome:
                raise TimeoutError(f"{name} did not finish in {timeout:.0f} s")
            inside = [t for t in self.ticks if t >= began]
            gaps = [b - a for a, b in zip(inside, inside[1:], strict=False)]
            samples.append(max(gaps) * 1000 if gaps else (ended - began) * 1000)
            self.app.processEvents()
        result = Result(SECTION, name, samples, TARGET_MS)
        self.results.append(result)
        print(f"  {SECTION:12} {name:52} {result.median:10.1f} ms", file=sys.stderr, flush=True)

    def run_work(self, fn: Callable[..., Any], *args: Any, done: Callable[..., None],
                 on_gui_thread: bool, **kwargs: Any) -> None:
        """Start `fn(session, ...)` as the window does: through its runner, or else as the
        window before the runner did (on its worker, or on the GUI thread)."""
        runner = getattr(self.workspace, "runner", None)
        if runner is not None:
            runner.submit(fn, *args, on_done=done, on_error=done, **kwargs)
        elif on_gui_thread:
            try:
                done(fn(self.session, *args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - reported by measure()
                done(exc)
        else:
            session = self.session
            self.controller.tasks.run(lambda: fn(session, *args, **kwargs), done, done)

    # -- the work -------------------------------------------------------------------------------
    def backup(self) -> None:
        from sendesk.ui.prompts import prompts

        def start(done: Callable[..., None]) -> None:
            self.counter += 1
            target = self.folder / f"stall-{self.counter}.sendesk-backup"
            saved = (prompts.save_file, prompts.info, prompts.error)

            def finish(value: Any = None) -> None:
                prompts.save_file, prompts.info, prompts.error = saved
                done(value)

            prompts.save_file = lambda *a, **k: target
            prompts.info = lambda *a, **k: finish(True)
            prompts.error = lambda parent, title, text: finish(RuntimeError(text))
            self.controller.make_backup()

        self.measure("a backup", start)

    def longest_history(self) -> list[int]:
        return [row[0] for row in self.session.db.query(
            "SELECT w.pupil_id FROM apdr_cycles c JOIN send_pathways w ON w.id = c.pathway_id"
            " JOIN pupils p ON p.id = w.pupil_id WHERE p.archived_at IS NULL"
            " GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id LIMIT ?",
            (2 * self.runs + 1,))]

    def transfer_out(self) -> None:
        from sendesk.cli.transfer import count_pages, render_file_pdf
        from sendesk.records import consent
        from sendesk.transfer import sending

        session = self.session
        candidates = self.longest_history()
        for pupil_id in candidates:   # sending refuses a file without consent to share
            consent.record_consent(session, pupil_id, {
                "given_by": "Benchmark parent", "giver_kind": "parent or carer",
                "given_on": session.clock.today() - dt.timedelta(days=30),
                "scope": "Share the SEND file with the pupil's next school."})
        recipient = sending.make_recipient("Benchmark receiving school", "123456",
                                           "Benchmark SENCO")
        pending = iter(candidates[self.runs:])

        def start(done: Callable[..., None]) -> None:
            pupil_id = next(pending)
            self.run_work(sending.send, pupil_id, recipient,
                          self.folder / f"out-{pupil_id}.sendesk-transfer", render_file_pdf,
                          count_pages=count_pages, done=done, on_gui_thread=False)

        self.measure("a transfer package out", start)

    def transfer_in(self) -> None:
        from sendesk.cli.transfer import count_pages, render_file_pdf
        from sendesk.records import consent
        from sendesk.transfer import receiving, sending

        here = self.session.school
        where = self.folder / "sender.sendesk"
        sender, _ = _demo_school()(where, "sender", "Sending SENCO", data.PASSWORD, pupils=40,
                                   clock=data.CLOCK)
        # The demo school and the synthetic one share a reference: give the sender its own.
        with sender.db.transaction():
            sender.db.set_meta("school_name", "Benchmark sending school")
            sender.db.set_meta("urn", "654321")
            sender.db.set_meta("la_code", "")
            sender.db.set_meta("estab", "")
        sender.close()
        sender = data.open_session(where, "sender")
        try:
            ours = {row[0] for row in self.session.db.query("SELECT upn FROM pupils")}
            candidates = [row[0] for row in sender.db.query(
                "SELECT w.pupil_id, p.upn FROM apdr_cycles c"
                " JOIN send_pathways w ON w.id = c.pathway_id JOIN pupils p ON p.id = w.pupil_id"
                " GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id")
                if row[1] not in ours][:self.runs]
            recipient = sending.make_recipient(here.name, here.reference, "Benchmark SENCO")
            packages = []
            for pupil_id in candidates:
                consent.record_consent(sender, pupil_id, {
                    "given_by": "Demo parent", "giver_kind": "parent or carer",
                    "given_on": sender.clock.today() - dt.timedelta(days=30),
                    "scope": "Share the SEND file with the pupil's next school."})
                packages.append(sending.send(sender, pupil_id, recipient,
                                             self.folder / f"in-{pupil_id}.sendesk-transfer",
                                             render_file_pdf, count_pages=count_pages))
        finally:
            sender.close()
        pending = iter(packages)

        def start(done: Callable[..., None]) -> None:
            package = next(pending)

            def opened(preview: Any) -> None:
                if isinstance(preview, BaseException):
                    done(preview)
                    return
                decisions = {c.key: receiving.THEIRS for c in preview.conflicts}
                # The receiving wizard imports on its last page (the GUI thread, before the runner).
                self.run_work(receiving.import_package, preview, decisions, done=done,
                              on_gui_thread=True)

            self.run_work(receiving.open_package, package.path.read_bytes(), package.passphrase,
                          done=opened, on_gui_thread=False)

        self.measure("a transfer package in", start)

    def mis_import(self) -> None:
        rows = self.session.db.query(
            "SELECT upn, legal_surname, legal_forename, dob, gender, year_group, class_name"
            " FROM pupils WHERE archived_at IS NULL ORDER BY id LIMIT ?", (IMPORT_ROWS,))

        def csv_file(run: int) -> Path:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "Reg"])
            for row in rows:   # every row's class changes, so every run updates 2,000 pupils
                writer.writerow([row[0], row[1], row[2], row[3], row[4], row[5],
                                 f"S{run}{(row[6] or 'X')[:3]}"])
            path = self.folder / f"mis-{run}.csv"
            path.write_text(out.getvalue(), encoding="utf-8")
            return path

        from sendesk.ui.prompts import prompts

        def start(done: Callable[..., None]) -> None:
            self.counter += 1
            path = csv_file(self.counter)
            wizard = self.workspace.import_pupils()
            saved = (prompts.info, prompts.error)

            def finish(value: Any) -> None:
                prompts.info, prompts.error = saved
                wizard.close()
                done(value)

            prompts.info = lambda *a, **k: None
            prompts.error = lambda parent, title, text: finish(RuntimeError(text))
            problem = wizard.load(path) or wizard.run_preview({})
            if problem:
                finish(RuntimeError(problem))
                return
            wizard.accept()   # returns once the import is committed (or failed)
            finish(True if wizard.result is not None else RuntimeError("not imported"))

        self.measure(f"an MIS import of {IMPORT_ROWS:,} rows", start)

    def send_file_pdf(self) -> None:
        from sendesk import pdf
        from sendesk.documents import build_documents

        pupil_id = self.longest_history()[0]

        def save(session: Any, out: Path) -> int:
            documents = build_documents(session, pupil_id, "file")
            return pdf.save_pdf(session, documents, pupil_id, "file", out)

        def start(done: Callable[..., None]) -> None:
            self.counter += 1
            self.run_work(save, self.folder / f"file-{self.counter}.pdf", done=done,
                          on_gui_thread=True)

        self.measure("the full SEND file PDF", start)

    def governors_preview(self) -> None:
        from PySide6.QtCore import QTimer

        window = self.workspace.governors_report()
        window.show()
        window.year.setCurrentIndex(window.year.findText("2025/26"))
        panel = window.panel

        def start(done: Callable[..., None]) -> None:
            def painted() -> None:
                panel.built.disconnect(built)
                if hasattr(panel, "page_view"):
                    panel.page_view.viewport().repaint()
                else:                             # before: Qt's print preview, all pages
                    panel.preview.repaint()
                done(True)

            def built() -> None:
                QTimer.singleShot(0, painted)

            panel.built.connect(built)
            panel.refresh_soon()

        self.measure("the governors' report preview 2025/26", start)
        window.close()

    def provision_map_page(self) -> None:
        from PySide6.QtCore import QTimer

        window = self.controller.main_window
        page = self.workspace.provision_map
        window.show_page("provision_map")
        self.app.processEvents()

        def start(done: Callable[..., None]) -> None:
            def refresh() -> None:
                page.refresh()                       # waits for the worker in a local loop
                page.repaint()
                done(True)

            QTimer.singleShot(0, refresh)

        self.measure("the provision map page refreshed", start)
        window.show_page("pupils")

    def run(self, jobs: tuple[str, ...] | list[str] = JOBS) -> list[Result]:
        self.open_app()
        try:
            if "backup" in jobs:
                self.backup()
            if "transfer" in jobs:
                self.transfer_out()
                self.transfer_in()
            if "import" in jobs:
                self.mis_import()
            if "pdf" in jobs:
                self.send_file_pdf()
            if "governors" in jobs:
                self.governors_preview()
            if "map" in jobs:
                self.provision_map_page()
        finally:
            self.controller.lock()
            if self.controller.unlock_dialog is not None:
                self.controller.unlock_dialog.rejected.disconnect()
                self.controller.unlock_dialog.close()
        return self.results


if __name__ == "__main__":
    sys.exit(main())
