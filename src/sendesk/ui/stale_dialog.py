"""The two versions of a record side by side, when a save was refused because someone else
changed it after it was opened (records/stale.py, issue 21 item 6). Nothing was saved; the
person chooses: keep mine (their version with this person's changes on top; theirs stays in
the change history),
take theirs (the form shows what is stored now), or copy mine (to paste into the record by
hand once theirs is shown). Never a silent overwrite, never a silent loss."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..records.stale import StaleRecord
from .screen_fit import fit_to_screen

UNCHANGED = "unchanged by you"
# A version's column: as wide as its longest line up to this, then its text wraps; never
# narrower than the other bound, so that a short value and a long one still sit side by side.
WIDEST, NARROWEST = 420, 200
# Room for a cell's padding and the table's frame and scroll bar.
CELL_PADDING, FRAME = 16, 24


def mine_as_text(exc: StaleRecord) -> str:
    """What this person changed, to paste back in by hand (nothing they left as it was)."""
    return "\n".join(f"{d.label}: {d.mine}" for d in exc.differences if d.changed_by_me)


def same_text(count: int) -> str:
    if count <= 0:
        return ""
    return "1 other field is the same in both." if count == 1 else \
        f"{count} other fields are the same in both."


class StaleDialog(QDialog):
    """Sized to show both versions whole: each column as wide as its text needs (up to a
    limit, then wrapped), the dialog as wide as both and no wider than the screen; only the
    fields that differ are listed."""

    def __init__(self, exc: StaleRecord, parent: QWidget | None,
                 keep_mine: Callable[[], object] | None, take_theirs: Callable[[], object]) -> None:
        super().__init__(parent)
        self.setObjectName("stale_record")
        self.setWindowTitle("Changed on another PC - sendesk")
        self.exc = exc
        intro = QLabel(str(exc), wordWrap=True, objectName="stale_message")
        table = QTableWidget(len(exc.differences), 3, objectName="stale_versions")
        table.setAccessibleName("Your version and the version now saved, side by side")
        table.setHorizontalHeaderLabels(["", "Yours (not saved)", f"Now saved, by {exc.who}"])
        table.setWordWrap(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        for row, difference in enumerate(exc.differences):
            yours = difference.mine if difference.changed_by_me else UNCHANGED
            for column, text in enumerate((difference.label, yours, difference.theirs)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if column == 1 and not difference.changed_by_me:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                table.setItem(row, column, item)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        table.resizeColumnToContents(0)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Rows grow to their wrapped text whenever the columns' widths change.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.versions = table
        self.same = QLabel(same_text(exc.same), objectName="stale_same")
        self.same.setVisible(exc.same > 0)
        buttons = QDialogButtonBox()
        self.keep = buttons.addButton("&Keep mine", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep.setObjectName("keep_mine")
        self.keep.setToolTip("Save the changes you made over theirs (the fields and lines you "
                             "did not change keep theirs, lines they added stay); theirs stays "
                             "in the change history.")
        if keep_mine is None:
            self.keep.setEnabled(False)
            self.keep.setToolTip("Take theirs, then make your change again in the form.")
        self.take = buttons.addButton("&Take theirs", QDialogButtonBox.ButtonRole.RejectRole)
        self.take.setObjectName("take_theirs")
        self.copy = buttons.addButton("&Copy mine", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy.setObjectName("copy_mine")
        self.copy.setToolTip("Copy your version to paste in by hand.")
        for button, name in ((self.keep, "Keep my version"), (self.take, "Take their version"),
                             (self.copy, "Copy my version")):
            button.setAccessibleName(name)
            button.setAutoDefault(False)
        self.take.setDefault(True)
        self.keep.clicked.connect(lambda: self._then(keep_mine))
        self.take.clicked.connect(lambda: self._then(take_theirs))
        self.copy.clicked.connect(self._copy)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(table, 1)
        layout.addWidget(self.same)
        layout.addWidget(buttons)
        self._fit(intro, buttons)

    def _fit(self, intro: QLabel, buttons: QDialogButtonBox) -> None:
        """As wide as the label column and two version columns (each up to WIDEST), as tall
        as the intro, every row wrapped at that width and the buttons; within the screen."""
        table = self.versions
        metrics = table.fontMetrics()
        widest = max((metrics.horizontalAdvance(line)
                      for row in range(table.rowCount()) for column in (1, 2)
                      for line in table.item(row, column).text().splitlines()), default=0)
        heading = metrics.horizontalAdvance(table.horizontalHeaderItem(2).text())
        column = max(NARROWEST, min(WIDEST, max(widest, heading) + CELL_PADDING))
        margins = self.layout().contentsMargins()
        width = table.columnWidth(0) + 2 * column + FRAME + margins.left() + margins.right()
        width = max(width, buttons.sizeHint().width() + margins.left() + margins.right())
        fit_to_screen(self, width, 200)
        self.layout().activate()
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(row) for row in range(table.rowCount()))
        spacing = self.layout().spacing() * 3
        height = (intro.heightForWidth(self.width() - margins.left() - margins.right())
                  + table.horizontalHeader().height() + rows + FRAME
                  + (self.same.sizeHint().height() + spacing if self.same.isVisible() else 0)
                  + buttons.sizeHint().height() + spacing + margins.top() + margins.bottom())
        fit_to_screen(self, self.width(), height)

    def _then(self, action: Callable[[], object] | None) -> None:
        self.accept()
        if action is not None:
            action()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(mine_as_text(self.exc))
        self.copy.setText("Copied")


def show_stale(parent: QWidget, exc: StaleRecord, keep_mine: Callable[[], object] | None,
               take_theirs: Callable[[], object]) -> StaleDialog:
    dialog = StaleDialog(exc, parent, keep_mine, take_theirs)
    dialog.open()
    return dialog
