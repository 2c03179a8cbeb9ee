"""`sendesk`: start the Qt app.

Unexpected errors are caught at the top and shown as a plain apology; no traceback reaches a
teacher, and nothing about pupils is written to any log.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..settings import data_dir
from ..store.server_address import is_server_url
from ..transfer.package import SUFFIX
from .controller import AppController
from .prompts import prompts
from .resources_qt import app_icon
from .runner import Refused
from .single_instance import hand_over_launch, serve


def _database(text: str) -> Path | str:
    """A file (or package) is a Path; the school server's postgresql:// address stays as
    written, since a Path would fold its '//' into one '/' and break it."""
    return text.strip() if is_server_url(text) else Path(text)


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sendesk", description="SEND records for schools.")
    parser.add_argument("database", nargs="?", type=_database,
                        help="school database to open (a file, or the school server's "
                             "postgresql:// address), or a records-transfer package to receive "
                             "(it opens in the receiving wizard once the database is unlocked)")
    parser.add_argument("--demo", action="store_true", help="open (creating if needed) a demo school")
    parser.add_argument("--selftest", action="store_true",
                        help="show the first window, then exit (for installers and CI)")
    parser.add_argument("--version", action="version", version=f"sendesk {__version__}")
    return parser.parse_args(argv)


def _install_excepthook() -> None:
    def hook(kind, value, tb) -> None:
        if issubclass(kind, Refused):
            return   # work that waited when the window locked: its windows are gone, nothing to say
        if os.environ.get("SENDESK_DEBUG"):
            traceback.print_exception(kind, value, tb)
        prompts.error(None, "sendesk", "Something unexpected went wrong, and that action did not "
                      f"finish ({kind.__name__}). Your saved records are safe.")
    sys.excepthook = hook


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the age worker's child process, in the bundle
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("sendesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    _install_excepthook()
    # The school server's address opens the unlock window on it, never handed to a running copy.
    on_server = isinstance(args.database, str)
    if not (args.selftest or args.demo or on_server) and hand_over_launch(args.database):
        return 0   # a copy already runs: it took the package (or came forward)
    controller = AppController(app)
    serve(controller)
    database = args.database
    if isinstance(database, Path) and database.name.endswith(SUFFIX):
        controller.pending_package, database = database, None
    if args.demo:
        from .demo_start import prepare_demo
        database, hint = prepare_demo(data_dir())
        controller.unlock_hint = hint
    controller.start(database)
    if args.selftest:
        def report() -> None:
            shown = [type(w).__name__ for w in controller.windows()]
            print("sendesk selftest: showing " + ", ".join(shown))
            controller.quit()
        QTimer.singleShot(300, report)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
