"""Tools > Provision library: the interventions the school offers, each with its area of need,
evidence base, usual staff, size, frequency, length, hourly cost and measures.

The SENCO adds, edits and retires items (a retired item stays on the plans that used it but is
not offered for new ones, and can be brought back), adds the suggested interventions sendesk
ships, and takes the library to and from a CSV file to edit in a spreadsheet. Everyone else
reads it. A measure that improves as it falls (an SDQ score) is marked "(lower is better)" on
its line. A Save that is refused says every fault at once, top to bottom as the form reads,
outlines each field and puts the cursor in the first. All its work runs on the main window's
OpRunner; it refreshes when the runner says the library changed, whoever changed it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError, ValidationError, faults_of
from ..models import provision_library as library
from ..models.provision import session_times
from ..models.provision_library import LibraryItem
from ..models.roles import Permission
from ..operations import Changes, Kind
from ..records import provision_library
from ..session import Session
from ..settings import export_dir
from .apdr.dialogs import AREA_CHOICES
from .apdr.widgets import compact, make_view, selected_row, set_read_only
from .dates import uk
from .forms import FieldSpec, FormWidget
from .prompts import ending_in, prompts
from .record_panel import denied_text
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive
from .screen_fit import fit_to_screen

TITLE = "Provision library"
NARROW = 1000  # px: below this the form goes under the table, not beside it
TABLE_MIN, TABLE_MIN_NARROW = 300, 140   # px: the table's least height, beside or above the form
FIELDS = [
    FieldSpec("name", "N&ame", aliases=("Name",)),
    FieldSpec("area", "Area of nee&d", "choice", AREA_CHOICES, aliases=("area",)),
    FieldSpec("description", "Descri&ption", "text"),
    FieldSpec("evidence_summary", "&Evidence summary", "text",
              placeholder="What the research says, in a sentence or two"),
    FieldSpec("evidence_reference", "Evidence re&ference",
              placeholder="for example the EEF Toolkit page"),
    FieldSpec("staff_role", "&Usual staff role", placeholder="for example Teaching assistant"),
    FieldSpec("group_size", "Group si&ze", placeholder="1 for one-to-one"),
    FieldSpec("sessions_per_week", "Sessions a &week"),
    FieldSpec("minutes", "Minutes a sessi&on"),
    FieldSpec("weeks", "Wee&ks"),
    FieldSpec("hourly_cost", "&Hourly cost", placeholder="the adult's cost an hour, e.g. 18.00"),
    FieldSpec("measures", "&Measures", "text",
              placeholder="One a line, e.g. YARC reading age; put (lower is better) after one "
                          "that improves as it falls, such as an SDQ score"),
]


class ProvisionLibraryWindow(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.may_edit = session.can(Permission.MANAGE_PLANS)
        self.editing: LibraryItem | None = None
        self.setWindowTitle(f"{TITLE} - sendesk")
        self.setObjectName("provision_library_window")
        fit_to_screen(self, 1100, 680)
        self.model: RowsModel[LibraryItem] = RowsModel([
            Col("Intervention", lambda i: i.name),
            Col("Area", lambda i: i.area_label),
            Col("Group", lambda i: i.group_size, align_right=True),
            Col("A week", lambda i: session_times(i.sessions_per_week, i.minutes)),
            Col("Weeks", lambda i: i.weeks, align_right=True),
            Col("An hour", lambda i: i.hourly_cost, align_right=True),
            Col("Retired", lambda i: uk(i.retired_on)),
        ], parent=self)
        # The intervention and its area share the spare width (both wrap): an area's name
        # sized to its text left the interventions' names 70 pixels beside the form.
        self.table = make_view("library_items", "Interventions in the library", self.model,
                               TABLE_MIN, stretch=(0, 1))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_chosen())
        self.show_retired = QCheckBox("Show &retired interventions", objectName="show_retired")
        self.show_retired.setAccessibleName("Show retired interventions")
        self.show_retired.toggled.connect(lambda _on: self.refresh())
        self.form = FormWidget(FIELDS)
        self.form.setObjectName("library_form")
        self.message = QLabel(objectName="library_message", wordWrap=True)
        self.state = QLabel(objectName="library_state", wordWrap=True)
        self.new_button = self._button("&New", "new_item", self.new_item, self.may_edit)
        self.save_button = self._button("&Save", "save_item", self.save, self.may_edit)
        self.retire_button = self._button("Re&tire", "retire_item", self.retire, self.may_edit)
        self.suggested_button = self._button("Add the su&ggested interventions",
                                             "add_suggested", self.add_suggested, self.may_edit)
        self.import_button = self._button("&Import...", "import_library", self.import_file,
                                          self.may_edit)
        self.export_button = self._button("E&xport...", "export_library", self.export_file, True)
        # Enter in a field saves what was typed; as New (the first button) it emptied the form.
        for button in (self.new_button, self.retire_button, self.suggested_button,
                       self.import_button, self.export_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)
        close = QPushButton("&Close", objectName="close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        set_read_only(self.form, not self.may_edit)
        compact(self.form, 60)

        left = QVBoxLayout()
        left.addWidget(QLabel("The interventions the school offers. A plan's provision can be "
                              "filled from any that is not retired; every field can still be "
                              "changed on the plan.", wordWrap=True))
        left.addWidget(self.table, 1)
        left.addWidget(self.show_retired)
        files = QHBoxLayout()
        for widget in (self.suggested_button, self.import_button, self.export_button):
            files.addWidget(widget)
        files.addStretch(1)
        left.addLayout(files)
        details = QWidget()
        inner = QVBoxLayout(details)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.state)
        inner.addWidget(self.form)
        inner.addStretch(1)
        self.details = QScrollArea(objectName="library_details")
        self.details.setAccessibleName("Library item's details")
        self.details.setWidget(details)
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        right = QVBoxLayout()
        right.addWidget(self.details, 1)
        # Below the scrolling form, beside the buttons: "Saved." and a Save's faults are seen
        # on a short screen too, wherever the form is scrolled to.
        right.addWidget(self.message)
        edits = QHBoxLayout()
        for widget in (self.new_button, self.save_button, self.retire_button):
            edits.addWidget(widget)
        edits.addStretch(1)
        edits.addWidget(close)
        right.addLayout(edits)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.body.addLayout(left, 5)
        self.body.addLayout(right, 4)
        self.runner.changed.connect(self._changed)
        self.refresh()
        self.new_item()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Side by side on a wide screen; on a narrow one (an 800-pixel laptop) the form goes
        below the table, which then has the width to show the interventions' names."""
        narrow = event.size().width() < NARROW
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if narrow
                               else QBoxLayout.Direction.LeftToRight)
        # Stacked, the table shares the height with the form: at 300 pixels it could not
        # shrink on an 800 x 600 screen, and the buttons under it were drawn over its rows.
        self.table.setMinimumHeight(TABLE_MIN_NARROW if narrow else TABLE_MIN)
        super().resizeEvent(event)

    def _button(self, text: str, name: str, slot, allowed: bool) -> QPushButton:
        widget = QPushButton(text, objectName=name)
        widget.clicked.connect(lambda: slot())
        if not allowed:
            widget.setEnabled(False)
            widget.setToolTip(denied_text(self.session))
        return widget

    # --- reading ---
    def _changed(self, changes: Changes) -> None:
        if alive(self) and changes.touches(Kind.LIBRARY):
            self.refresh()

    def refresh(self) -> None:
        chosen = self.editing.id if self.editing else None
        try:
            items = self.runner.call(provision_library.list_items,
                                     self.show_retired.isChecked())
        except SendeskError as exc:
            self.say(str(exc), error=True)
            return
        self.model.set_rows(items)
        for row, item in enumerate(items):
            if item.id == chosen:
                self.table.selectRow(row)

    def show_chosen(self) -> None:
        row = selected_row(self.table)
        item = self.model.row_object(row) if row is not None else None
        if item is None:
            return
        self.editing = item
        self.form.clear_errors()
        self.form.set_values(item.values())
        self.state.setText(f"<b>{item.name}</b>" + (f" (retired on {uk(item.retired_on)}: "
                           "not offered for new plans)" if item.retired else ""))
        self.retire_button.setText("Bring &back" if item.retired else "Re&tire")
        self.retire_button.setEnabled(self.may_edit)
        self.say("")

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b3261e" if error else "color: #2e6b30")
        self.message.setText(text)

    # --- the SENCO's changes ---
    def new_item(self) -> None:
        self.editing = None
        self.table.clearSelection()
        self.form.clear_errors()
        self.form.set_values({name: "" for name in library.FIELDS} | {
            "area": None, "group_size": "1", "weeks": str(library.DEFAULT_WEEKS)})
        self.state.setText("<b>A new intervention</b>")
        self.say("")
        self.retire_button.setEnabled(False)
        if self.may_edit:
            self.form.widgets["name"].setFocus()

    def _call(self, fn, *args, sender: QWidget | None = None):
        try:
            return True, self.runner.call(fn, *args, sender=sender)
        except ValidationError as exc:
            faults = faults_of(exc)
            first = self.form.mark_errors(fault.field for fault in faults)
            if first is not None:
                self.details.ensureWidgetVisible(first)
            self.say("\n".join(str(fault) for fault in faults), error=True)
        except SendeskError as exc:
            self.say(str(exc), error=True)
        return False, None

    def save(self) -> None:
        self.form.clear_errors()
        values = self.form.values()
        if self.editing is None:
            done, item_id = self._call(provision_library.add_item, values,
                                       sender=self.save_button)
            if done:
                self.editing = self.runner.call(provision_library.get_item, item_id)
                self.refresh()
                self.say(f"Added {values['name'].strip()} to the library.")
        else:
            done, fields = self._call(provision_library.edit_item, self.editing.id, values,
                                      sender=self.save_button)
            if done:
                self.say("Saved." if fields else "Nothing had changed.")

    def retire(self) -> None:
        item = self.editing
        if item is None:
            return
        if item.retired:
            done, _ = self._call(provision_library.unretire_item, item.id,
                                 sender=self.retire_button)
            if done:
                self.say(f"{item.name} is offered for new plans again.")
            return
        if not prompts.confirm(self, TITLE, f"Retire {item.name}? It stays on the plans that "
                               "already use it but is no longer offered for new ones. You can "
                               "bring it back later."):
            return
        done, _ = self._call(provision_library.retire_item, item.id, sender=self.retire_button)
        if done:
            if not self.show_retired.isChecked():
                self.new_item()
            self.say(f"{item.name} is retired." + ("" if self.show_retired.isChecked() else
                     " Tick 'Show retired interventions' to see it."))

    def add_suggested(self) -> None:
        done, added = self._call(provision_library.add_suggested, sender=self.suggested_button)
        if done:
            self.say(f"Added {len(added)}: {', '.join(added)}." if added else
                     "The library already holds every suggested intervention (retired ones "
                     "stay retired).")

    # --- the CSV file ---
    def import_file(self) -> None:
        path = prompts.open_file(self, f"{TITLE}: import", str(export_dir()), "CSV files (*.csv)")
        if path is None:
            return
        try:
            counts = self.runner.call(provision_library.import_csv, path,
                                      sender=self.import_button)
        except provision_library.LibraryFileRefused as exc:
            prompts.error(self, TITLE, f"{exc.source} was not imported; nothing was changed.\n\n"
                          + "\n".join(exc.faults[:30])
                          + (f"\n...and {len(exc.faults) - 30} more." if len(exc.faults) > 30
                             else ""))
            return
        except SendeskError as exc:
            prompts.error(self, TITLE, str(exc))
            return
        prompts.info(self, TITLE, f"Imported {path.name}: {counts['added']} added, "
                     f"{counts['updated']} updated, {counts['unchanged']} unchanged. Items are "
                     "matched by name.")

    def export_file(self) -> None:
        path = prompts.save_file(self, f"{TITLE}: export", str(export_dir() / "provision_library.csv"),
                                 "CSV files (*.csv)")
        if path is None:
            return
        path = ending_in(path, ".csv")
        try:
            count = self.runner.call(provision_library.export_csv, path,
                                     sender=self.export_button)
        except SendeskError as exc:
            prompts.error(self, TITLE, str(exc))
            return
        # Only those who may import are told they can: everyone else can read the file.
        then = (" Edit it in a spreadsheet and import it again: rows are matched by name."
                if self.may_edit else " Open it in a spreadsheet to read or print it.")
        prompts.info(self, TITLE, f"Wrote {count} interventions to {path.name}.{then}")
