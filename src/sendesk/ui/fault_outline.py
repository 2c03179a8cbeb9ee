"""The red outline round a field the core refused, drawn over the field rather than by a style
sheet, so the field keeps its own look.

A style sheet's border ("border: 2px solid red") switches Qt to drawing the whole widget from the
style sheet: a combo box lost its native frame and drop-down arrow and went flat, and a line
edit changed height. The outline is a child widget the size of the field, painted last and
transparent to the mouse and the keyboard, so the field beneath is drawn, sized and used exactly
as before, whatever kind of widget it is.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

FAULT_COLOUR = "#b3261e"
WIDTH = 2   # px


class _Outline(QWidget):
    def __init__(self, field: QWidget) -> None:
        super().__init__(field)
        self.setObjectName("fault_outline")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setGeometry(field.rect())
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Kept the field's size, and above any child the field adds later (a scroll bar).
        if event.type() in (QEvent.Type.Resize, QEvent.Type.ChildAdded) and \
                isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
            self.raise_()
        return False

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setPen(QPen(QColor(FAULT_COLOUR), WIDTH))
        half = WIDTH // 2
        painter.drawRect(self.rect().adjusted(half, half, -half, -half))


def _outline_of(field: QWidget) -> _Outline | None:
    return field.findChild(_Outline, options=Qt.FindChildOption.FindDirectChildrenOnly)


def set_fault(field: QWidget, faulty: bool) -> None:
    """Outline the field in red, or take its outline off."""
    outline = _outline_of(field)
    if outline is None:
        if not faulty:
            return
        outline = _Outline(field)
    outline.setGeometry(field.rect())
    outline.raise_()
    outline.setVisible(faulty)


def has_fault(field: QWidget) -> bool:
    """Whether the field is outlined as refused."""
    outline = _outline_of(field)
    return outline is not None and not outline.isHidden()
