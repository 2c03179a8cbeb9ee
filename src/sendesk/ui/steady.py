"""Room kept for text that comes and goes, so a layout does not jump as a person types.

A message label that is empty, then one line, then two as the words wrap, pushes everything
below it down and back: the box the user was about to click moves under the mouse, and the
click lands in the wrong one (issue 17). A label given reserve_lines() is as tall as that many
lines from the start, and its text sits at the top of the space.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def reserve_lines(label: QLabel, lines: int) -> QLabel:
    margins = label.contentsMargins()
    label.setMinimumHeight(label.fontMetrics().lineSpacing() * lines + 2 * label.margin()
                           + margins.top() + margins.bottom() + 2 * label.frameWidth())
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label


def say_in(label: QLabel, text: str, lines: int) -> None:
    """Set the text of a label given reserve_lines(label, lines), made taller when the text
    needs more than the lines kept (a Save refused for four faults): its minimum height kept
    the rest out of sight below the second line."""
    label.setText(text)
    reserve_lines(label, lines)
    needed = label.heightForWidth(label.width()) if text and label.width() > 0 else -1
    if needed > label.minimumHeight():
        label.setMinimumHeight(needed)
