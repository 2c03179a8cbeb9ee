"""Windows open no bigger than the screen they open on.

A size chosen for a large monitor (the main window's 1,200 x 760) is more than a laptop has at
150% scaling (1,600 x 1,000 pixels leave 1,067 x 667 to lay out), and a window taller than the
screen hides its bottom buttons (the APDR wizard's Save draft and Close) where no one can reach
them.

The screen is found with QGuiApplication's static screenAt/primaryScreen, never with
``widget.screen()``: PySide's return-value heuristic makes the QScreen's Python wrapper a child
of the widget's wrapper, and when that widget's wrapper is later freed by the garbage collector
as part of a reference cycle (a window thrown away with a lambda or bound method still
connected), Shiboken's tp_clear may clear the QScreen wrapper first and give it ownership
(removeParent(child, giveOwnershipBack=true)); the wrapper then deletes the application's
QScreen, which ~QScreen leaves in QGuiApplication's screen list, and the next window made reads
a dangling QScreen (QWidget::screen -> QGuiApplication::screenAt -> QScreen::virtualSiblings).
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

# Room left for the window's title bar and frame, and a desktop's panel.
MARGIN = 40


def screen_of(widget: QWidget) -> QScreen | None:
    """The screen under the middle of the widget, else the primary screen: what
    QWidget::screen() answers for a window not placed on a screen of its own, got without
    letting the widget's wrapper adopt the QScreen's (see the module's docstring)."""
    middle = widget.mapToGlobal(widget.rect().center())
    return QGuiApplication.screenAt(middle) or QGuiApplication.primaryScreen()


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or as much of that as its screen has room for."""
    screen = screen_of(window)
    if screen is None:
        window.resize(width, height)
        return
    room = screen.availableGeometry()
    window.resize(min(width, room.width() - MARGIN), min(height, room.height() - MARGIN))
