"""Pages that read a lot (the provision map, reviews due, the calendar) are built empty when
the app opens and read their data the first time they are shown: at county scale reading them
all up front made unlocking take seconds, and a page nobody opens should not be read (or
audited as viewed).

The same mixin keeps a page current: ``follow(runner, kinds)`` listens to the runner's
``changed`` broadcast, and when a change touches what the page shows it reads again at once if
the page is on screen, or the next time it is shown. No page calls another page's refresh.
A page about one pupil (a record window's tab, the notes tab's panel) follows with
``pupil_id=`` and hears only changes to that pupil (or to the whole school).

Waiting for the worker runs the event loop, in which a closed window may be deleted: a broadcast
reaching a page that is gone is ignored, and a refresh() that waited checks
``runner.alive(self)`` before touching its widgets again.

A read that fails (the school server not answering, say) is not a bug: it arrives from a
broadcast or a showEvent, where nothing above would catch it and the person would meet the
"Something unexpected went wrong" box. It is shown as its own sentence in the window's status
bar instead, and the page reads again when next shown or changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from ..errors import SendeskError
from ..operations import Changes, Kind
from .runner import alive

NOTICE_MS = 20_000   # how long a failed read's sentence stays in the status bar


def show_notice(widget: QWidget, text: str) -> None:
    """One sentence in the status bar of the widget's window, or of the main window when the
    widget sits in a window without one (a pupil's record)."""
    windows = [widget.window()] + [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for window in windows:
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, NOTICE_MS)
            return


def read_safely(widget: QWidget, read: Callable[[], Any]) -> bool:
    """Run a refresh; a SendeskError becomes a notice rather than escaping. True if it read."""
    try:
        read()
    except SendeskError as exc:
        if alive(widget):
            show_notice(widget, str(exc))
        return False
    return True


class LoadOnShow:
    """Mix into a QWidget page that has refresh(); call load_now_or_when_shown() last in
    __init__."""

    loaded = False
    followed: frozenset[Kind] = frozenset()
    followed_pupil: int | None = None

    def load_now_or_when_shown(self, now: bool) -> None:
        self.loaded = now
        if now:
            self._read_again()

    def follow(self, runner: Any, kinds: frozenset[Kind] | set[Kind] | tuple[Kind, ...],
               pupil_id: int | None = None) -> None:
        """Refresh when work through `runner` changes any of `kinds` (empty: any change), of
        one pupil if `pupil_id` is given."""
        self.followed = frozenset(kinds)
        self.followed_pupil = None if pupil_id is None else int(pupil_id)
        runner.changed.connect(self.changes_arrived)

    def changes_arrived(self, changes: Changes) -> None:
        if not alive(self):  # type: ignore[arg-type]
            return   # deleted (its window closed) while the change was on its way
        if self.followed and not changes.touches(*self.followed):
            return
        if self.followed_pupil is not None and not changes.touches_pupil(self.followed_pupil):
            return
        if not self.loaded:
            return   # not read yet: it reads when first shown
        if self.isVisible():  # type: ignore[attr-defined]
            self._read_again()
        else:
            self.loaded = False

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if not self.loaded:
            self.loaded = True
            self._read_again()
        super().showEvent(event)  # type: ignore[misc]

    def _read_again(self) -> None:
        if not read_safely(self, self.refresh):  # type: ignore[arg-type, attr-defined]
            self.loaded = False   # read again when next shown or changed
