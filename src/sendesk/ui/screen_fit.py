"""Windows open no bigger than the screen they open on.

A size chosen for a large monitor (the main window's 1,200 x 760) is more than a laptop has at
150% scaling (1,600 x 1,000 pixels leave 1,067 x 667 to lay out), and a window taller than the
screen hides its bottom buttons (the APDR wizard's Save draft and Close) where no one can reach
them."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room left for the window's title bar and frame, and a desktop's panel.
MARGIN = 40


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or as much of that as its screen has room for."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    room = screen.availableGeometry()
    window.resize(min(width, room.width() - MARGIN), min(height, room.height() - MARGIN))
