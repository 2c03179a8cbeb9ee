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
"Something unexpected went wrong" box. Nor may the page look as if the school had nothing
(an empty table reads as "no groups"): the page is covered by a notice saying it could not be
read and why (``Unread``), the status bar carries the short first sentence (the whole one in
its tooltip, as a status bar cannot wrap), and the page reads again when next shown, or at once
if it is on screen when any change is broadcast: ui/server_changes.py broadcasts one for the
whole school as soon as the school server answers again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from ..errors import SendeskError, StorageError
from ..operations import Changes, Kind
from .runner import alive

NOTICE_MS = 20_000   # how long a failed read's sentence stays in the status bar


def first_sentence(text: str) -> str:
    head, stop, _rest = text.partition(". ")
    return head + "." if stop else text


def show_notice(widget: QWidget, text: str) -> None:
    """A message's first sentence in the status bar of the widget's window, or of the main
    window when the widget sits in a window without one (a pupil's record); the whole message
    in the status bar's tooltip while it shows."""
    windows = [widget.window()] + [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for window in windows:
        if isinstance(window, QMainWindow):
            bar = window.statusBar()
            if not bar.property("notice_tooltips"):
                bar.setProperty("notice_tooltips", True)
                bar.messageChanged.connect(lambda shown, bar=bar: shown or bar.setToolTip(""))
            bar.showMessage(first_sentence(text), NOTICE_MS)
            bar.setToolTip(text)
            return


class Unread(QLabel):
    """Covers a page whose read failed, saying so in full (word-wrapped), so that what is
    left on it (an empty table, last term's figures) is not taken for the school's records."""

    def __init__(self, page: QWidget) -> None:
        super().__init__(page, objectName="unread_notice", wordWrap=True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAutoFillBackground(True)
        self.setMargin(24)
        self.setAccessibleName("This page could not be read")
        page.installEventFilter(self)

    def say(self, reason: str, again: bool = True) -> None:
        """again: the read may well work next time (the server was away or busy), so say when
        it is tried again; a refusal (a removed account, a role) is not made good by that."""
        self.setText(f"This page could not be read. {reason}" + (
            "\n\nIt is read again as soon as the school server answers, or when you come back "
            "to it." if again else ""))
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False


def unread_notice(widget: QWidget) -> Unread | None:
    return widget.findChild(Unread, "unread_notice", Qt.FindChildOption.FindDirectChildrenOnly)


def read_safely(widget: QWidget, read: Callable[[], Any]) -> bool:
    """Run a refresh; a SendeskError becomes a notice rather than escaping, and the page is
    covered by one saying it could not be read until a read succeeds. True if it read."""
    try:
        read()
    except SendeskError as exc:
        if alive(widget):
            show_notice(widget, str(exc))
            (unread_notice(widget) or Unread(widget)).say(
                str(exc), again=isinstance(exc, StorageError))
        return False
    notice = unread_notice(widget) if alive(widget) else None
    if notice is not None:
        notice.hide()
    return True


class LoadOnShow:
    """Mix into a QWidget page that has refresh(); call load_now_or_when_shown() last in
    __init__."""

    loaded = False
    unread = False   # its last read failed: it reads again on the next broadcast if on screen
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
        if self.unread and self.isVisible():  # type: ignore[attr-defined]
            self._read_again()   # any word from the server is a chance to read it at last
            return
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
        self.unread = not read_safely(self, self.refresh)  # type: ignore[arg-type, attr-defined]
        if self.unread:
            self.loaded = False   # read again when next shown or changed
