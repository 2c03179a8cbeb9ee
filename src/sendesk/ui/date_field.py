"""The one date field of the window: typed as dd/mm/yyyy, with a calendar to pick from.

Teachers type dates faster than they click through a calendar, so the field is a line of text
first: digits and a separator, read by the core's own date rules (models/dates.py), so what the
field accepts is exactly what a save accepts. The calendar opens from the button at its end,
or from the keyboard with Alt+Down or F4; in it the arrow keys move, Enter picks the day and Esc
closes it without changing anything. An optional field may be left empty.

A date that cannot be read is outlined and its reason is one sentence (`problem()`), which the
forms show before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import ValidationError
from ..models import dates
from .accessible import plain
from .fault_outline import set_fault

# What may be typed: digits and the separators the core reads (23/11/2026, 23.11.2026, ISO).
_TYPED = QRegularExpression(r"[0-9/.\-]{0,10}")


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class _CalendarPopup(QFrame):
    """The calendar under the field; Enter or a click picks a day, Esc closes it."""

    picked = Signal(QDate)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self, objectName="date_popup_calendar")
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setAccessibleName("Choose a date")
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        self.calendar.installEventFilter(self)
        for child in self.calendar.findChildren(QWidget):
            child.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)

    def _pick(self, day: QDate) -> None:
        self.picked.emit(day)
        self.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape:
                self.close()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._pick(self.calendar.selectedDate())
                return True
        return super().eventFilter(watched, event)


class DateField(QLineEdit):
    """A dd/mm/yyyy date, typed or picked; `day()` is the date or None."""

    dateChanged = Signal(QDate)  # noqa: N815 - the name QDateEdit used, which callers know

    def __init__(self, label: str = "", *, optional: bool = True, objectName: str = "",  # noqa: N803
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self.optional = optional
        self._label = ""
        self._minimum: dt.date | None = None
        self._maximum: dt.date | None = None
        self.setPlaceholderText("dd/mm/yyyy")
        self.setValidator(QRegularExpressionValidator(_TYPED, self))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 48)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 80)
        self.calendar_action = QAction(self.style().standardIcon(
            QStyle.StandardPixmap.SP_FileDialogDetailedView), "Choose from a calendar (Alt+Down)",
            self)
        self.calendar_action.triggered.connect(self.open_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.popup: _CalendarPopup | None = None
        self.set_label(label)
        self.textChanged.connect(self._typed)

    # --- naming ------------------------------------------------------------------------------
    def set_label(self, label: str) -> None:
        """The field's label names it for screen readers and in its error sentences."""
        self._label = plain(label) or "Date"
        self.setAccessibleName(f"{self._label} (dd/mm/yyyy)")
        self.setToolTip(f"{self._label}: type dd/mm/yyyy, or press Alt+Down for a calendar.")

    # --- reading and setting -----------------------------------------------------------------
    def problem(self) -> str | None:
        """Why the typed text is not a date this field accepts, in one sentence; None if it is."""
        try:
            day = dates.parse_date(self.text(), self._label, required=not self.optional)
        except ValidationError as exc:
            return str(exc)
        if day is not None and self._minimum is not None and day < self._minimum:
            return f"{self._label} cannot be before {dates.format_uk(self._minimum)}."
        if day is not None and self._maximum is not None and day > self._maximum:
            return f"{self._label} cannot be after {dates.format_uk(self._maximum)}."
        return None

    def day(self) -> dt.date | None:
        """The date typed, or None when it is empty or cannot be read."""
        try:
            return dates.parse_date(self.text(), self._label, required=False)
        except ValidationError:
            return None

    def date(self) -> QDate:
        """The date as Qt's QDate (a null QDate when there is none), as QDateEdit gave it."""
        day = self.day()
        return to_qdate(day) if day else QDate()

    def setDate(self, value: QDate | dt.date | None) -> None:  # noqa: N802 - as QDateEdit
        if isinstance(value, QDate):
            value = value.toPython() if value.isValid() else None  # type: ignore[assignment]
        self.setText(dates.format_uk(value) if value else "")

    def setMinimumDate(self, value: QDate | dt.date | None) -> None:  # noqa: N802 - as QDateEdit
        self._minimum = value.toPython() if isinstance(value, QDate) else value  # type: ignore[assignment]

    def setMaximumDate(self, value: QDate | dt.date | None) -> None:  # noqa: N802 - as QDateEdit
        self._maximum = value.toPython() if isinstance(value, QDate) else value  # type: ignore[assignment]

    def _typed(self, _text: str) -> None:
        set_fault(self, False)
        if self.day() is not None:
            self.dateChanged.emit(self.date())

    def focusOutEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)  # type: ignore[arg-type]
        if self.popup is not None and self.popup.isVisible():
            return
        day = self.day()
        if day is not None and self.problem() is None:
            self.setText(dates.format_uk(day))  # 1/9/2026 reads back as 01/09/2026
        elif self.text().strip():
            set_fault(self, True)

    # --- the calendar ------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        alt_down = (event.key() == Qt.Key.Key_Down
                    and event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> None:
        if self.isReadOnly() or not self.isEnabled():
            return
        if self.popup is None:
            self.popup = _CalendarPopup(self)
            self.popup.picked.connect(self._picked)
        calendar = self.popup.calendar
        calendar.setMinimumDate(to_qdate(self._minimum or dt.date(dates.FIRST_YEAR, 1, 1)))
        calendar.setMaximumDate(to_qdate(self._maximum or dt.date(dates.LAST_YEAR, 12, 31)))
        shown = self.day() or dt.date.today()
        calendar.setSelectedDate(to_qdate(shown))
        self.popup.adjustSize()
        self.popup.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.popup.show()
        calendar.setFocus()

    def _picked(self, day: QDate) -> None:
        self.setDate(day)
        self.setFocus()


class DateDelegate(QStyledItemDelegate):
    """Edits a table's date cells in a DateField, so a cell types and picks like every other
    date; `applies(index)` says which cells are dates (all of the delegate's column if None)."""

    def __init__(self, parent: QObject | None = None, label: str | None = None,
                 applies: Callable[[QModelIndex], bool] | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.applies = applies

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        if self.applies is not None and not self.applies(QModelIndex(index)):
            return super().createEditor(parent, option, index)
        label = self.label or index.model().headerData(index.column(), Qt.Orientation.Horizontal)
        return DateField(str(label or "Date"), parent=parent)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, DateField):
            day = editor.day()
            model.setData(index, dates.format_uk(day) if day else editor.text())
            return
        super().setModelData(editor, model, index)
