"""The Groups page: the school's provision groups, and for the chosen one its members (with
each one's share of the cost), its weekly times and its cost.

The SENCO makes a group (from a library item, which fills in its details, or from scratch),
edits and ends it, adds pupils found by name, records a pupil leaving, and adds or removes
the times it meets. Before a change is saved the form warns, in plain words, about what looks
wrong but may be meant: a time, or a pupil, that would put someone in two places at once or
two groups in one place; a group starting or ending, or a pupil joining or leaving, on a day
the school is closed; weekly times that do not match the sessions a week. The save goes ahead
when the user says so (prompts.confirm); otherwise the form stays open with the warning in it.
"Staff timetable" shows a member of staff's week, a pupil's is reached from their record.
Staff without MANAGE_PLANS see everything, the buttons greyed with the reason.

All work goes through the OpRunner; the page reads again when a group (or a pupil) changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError, ValidationError
from ..models import provision
from ..models.measures import Measure, format_value
from ..models.provision_groups import DAYS, sessions_mismatch
from ..models.roles import Permission
from ..models.sen import areas
from ..operations import Kind
from ..records import measures, provision_groups, provision_library, pupil_list
from ..records.provision_groups import Group, Member, Slot
from ..records.pupil_list import PupilFilter
from ..session import Session
from .accessible import label_for
from .apdr.measures_dialog import MeasuresDialog, of_member
from .apdr_models import plural
from .date_field import DateField
from .dates import uk
from .forms import FieldSpec, FormDialog
from .load_on_show import LoadOnShow
from .prompts import prompts
from .record_panel import denied_text
from .rows_model import Col, RowsModel
from .rows_table import rows_table
from .runner import OpRunner, alive
from .steady import reserve_lines

money = provision.format_money
SEARCH_LIMIT = 50

def go_ahead(parent: QWidget, title: str, warnings: list[str], question: str,
             field: str | None = None, refused: str = "Not saved.") -> None:
    """Ask before saving what the warnings are about; if the answer is no, keep the form open
    with the first of them in it (a ValidationError the form shows, on `field`: a form keeps
    room for two lines, and the question showed them all)."""
    if warnings and not prompts.confirm(parent, title, "\n".join(warnings) + f"\n\n{question}"):
        more = len(warnings) - 1
        raise ValidationError(f"{refused} {warnings[0]}" + (
            f" ({plural(more, 'more warning')}: Save shows {'it' if more == 1 else 'them'}.)"
            if more else ""), field=field)


def group_columns(today: Callable[[], dt.date]) -> list[Col[Group]]:
    return [
        Col("Group", lambda g: g.name),
        Col("Run by", lambda g: g.staff_name),
        Col("Starts", lambda g: uk(g.start_date)),
        Col("Ends", lambda g: uk(g.end_date)),
        Col("Pupils today", lambda g: g.pupils_today(today()), align_right=True),
        Col("Cost", lambda g: money(g.cost_total_pence), align_right=True),
    ]


def _slot_columns() -> list[Col[Slot]]:
    return [Col("Day", lambda s: s.day_name), Col("From", lambda s: s.start_time),
            Col("To", lambda s: s.end_time), Col("Place", lambda s: s.place)]


def group_fields(library: list[tuple[int, str]]) -> list[FieldSpec]:
    return [
        FieldSpec("library_id", "From the &library", "choice",
                  [("None: make it from scratch", None),
                   *((name, library_id) for library_id, name in library)]),
        FieldSpec("name", "Group &name"),
        FieldSpec("area", "&Area of need", "choice",
                  [("", ""), *((label, code) for code, label in areas().items())]),
        FieldSpec("description", "&Description", "text"),
        FieldSpec("staff_name", "Run by (member of &staff)", aliases=("Member of staff who runs it",)),
        FieldSpec("staff_role", "Their &role", aliases=("Their role",)),
        FieldSpec("start_date", "S&tart date", "date", aliases=("Start date",)),
        FieldSpec("end_date", "&End date (blank while it runs)", "date", aliases=("End date",)),
        FieldSpec("sessions_per_week", "Sessions a &week", aliases=("Sessions a week",)),
        FieldSpec("minutes", "&Minutes a session", aliases=("Minutes a session",)),
        FieldSpec("weeks", "Wee&ks", aliases=("Weeks",)),
        FieldSpec("cost_total", "&Cost of the whole group (£)",
                  placeholder="shared among the pupils present", aliases=("Cost of the whole group",)),
    ]


class AddPupilsDialog(QDialog):
    """Find pupils by name or UPN, tick them and add them from a joining date."""

    def __init__(self, session: Session, runner: OpRunner, group: Group,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.runner, self.group = session, runner, group
        self.added: list[int] = []
        self.setWindowTitle(f"Add pupils to {group.name} - sendesk")
        self.setMinimumWidth(480)
        search_label = QLabel("&Find pupils (name or UPN):")
        self.search = label_for(search_label, QLineEdit(objectName="search"))
        self.search.textChanged.connect(self.find)
        self.results = QListWidget(objectName="results")
        self.results.setAccessibleName("Pupils found: Space ticks the one chosen")
        self.results.itemChanged.connect(self._ticked_one)
        self.chosen: dict[int, str] = {}
        self.count = QLabel(objectName="ticked_count")
        date_label = QLabel("&Joining date:")
        self.joined = label_for(date_label, DateField("Joining date", optional=False,
                                                      objectName="joined_on"))
        self.joined.setText(uk(max(session.clock.today(), group.start_date)))
        self.message = reserve_lines(QLabel(wordWrap=True, objectName="message"), 3)
        self.message.setStyleSheet("color: #b3261e")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("&Add ticked pupils",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("add_ticked")
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(date_label)
        row.addWidget(self.joined)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(search_label)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.count)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.in_group = {m.pupil_id for m in group.members if m.left_on is None}

    def find(self, text: str) -> None:
        rows = []
        if text.strip():
            ids = self.runner.call(pupil_list.search_ids, PupilFilter(text=text), sender=self.search)
            rows = self.runner.call(pupil_list.fetch_rows, ids[:SEARCH_LIMIT])
        if not alive(self):
            return
        self.results.blockSignals(True)
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.name} · {row.year_group} · {row.upn}"
                                   + (" (already in the group)" if row.id in self.in_group else ""))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row.id in self.chosen
                               else Qt.CheckState.Unchecked)
            if row.id in self.in_group:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.results.addItem(item)
        self.results.blockSignals(False)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _ticked_one(self, item: QListWidgetItem) -> None:
        """Ticks are kept across searches: find one pupil, tick, find the next."""
        pupil_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[pupil_id] = item.text()
        else:
            self.chosen.pop(pupil_id, None)
        self.count.setText(f"{plural(len(self.chosen), 'pupil')} ticked." if self.chosen else "")

    def ticked(self) -> list[int]:
        return list(self.chosen)

    def add(self) -> None:
        chosen = self.ticked()
        if not chosen:
            self.message.setText("Tick the pupils to add (Space ticks the one chosen).")
            return
        if self.joined.problem():
            self.message.setText(self.joined.problem() or "")
            return
        try:
            go_ahead(self, "Check before adding", self.runner.call(
                provision_groups.joining_warnings, self.group.id, chosen, self.joined.day()),
                "Add them anyway?")
            self.runner.call(provision_groups.add_members, self.group.id, chosen,
                             self.joined.day(), sender=self.add_button)
        except SendeskError as exc:
            self.message.setText(str(exc))
            return
        self.added = chosen
        self.accept()


GROUPS_NARROW = 1100   # px: below this the chosen group is shown under the list, not beside it


class GroupsPage(LoadOnShow, QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *, load: bool = True,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("groups_page")
        self.groups: list[Group] = []
        self.shares: dict[int, int] = {}
        self.can_manage = session.can(Permission.MANAGE_PLANS)
        title = QLabel("<b>Provision groups</b>")
        note = QLabel("One provision for several pupils: one member of staff, its weekly times, "
                      "and one cost shared among the pupils present each day.", wordWrap=True)
        note.setStyleSheet("color: #555")
        self.show_ended = QCheckBox("Show ended gr&oups", objectName="show_ended")
        self.show_ended.toggled.connect(lambda _: self.refresh())
        self.new_button = self._button("&New group...", "new_group", self.new_group)
        self.edit_button = self._button("&Edit...", "edit_group", self.edit_group)
        self.end_button = self._button("En&d group...", "end_group", self.end_group)
        self.timetable_button = QPushButton("Staff timeta&ble...", objectName="staff_timetable")
        self.timetable_button.clicked.connect(self.staff_timetable)
        self.model: RowsModel[Group] = RowsModel(group_columns(session.clock.today), parent=self)
        self.table = rows_table("groups", self.model, "Provision groups", stretch=(0,))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_group())
        self.summary = QLabel(objectName="group_summary", wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.member_model: RowsModel[Member] = RowsModel(self._member_columns(), parent=self)
        self.members = rows_table("members", self.member_model, "Pupils in the group", stretch=(5,))
        self.members.setWordWrap(True)
        self.members.doubleClicked.connect(self._open_member)
        self.add_button = self._button("Add &pupils...", "add_pupils", self.add_pupils)
        self.leave_button = self._button("Pupil &leaves...", "member_leaves", self.member_leaves)
        # Everyone may read a member's entry and exit; the dialog greys what they may not do.
        self.measures_button = QPushButton("Entry and e&xit...", objectName="member_measures")
        self.measures_button.clicked.connect(self.member_measures)
        self.measures: dict[int, list[Measure]] = {}
        self._quiet = False
        self.slot_model: RowsModel[Slot] = RowsModel(_slot_columns(), parent=self)
        self.slots = rows_table("slots", self.slot_model, "When the group meets")
        self.add_slot_button = self._button("Add a t&ime...", "add_slot", self.add_slot)
        self.remove_slot_button = self._button("Re&move time", "remove_slot", self.remove_slot)
        self._build_layout(title, note)
        self.follow(self.runner, (Kind.GROUP, Kind.PUPIL, Kind.MEASURE))
        self.load_now_or_when_shown(load)

    # --- building ------------------------------------------------------------------------
    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.clicked.connect(slot)
        if not self.can_manage:
            button.setEnabled(False)
            button.setToolTip(denied_text(self.session))
        return button

    def _member_columns(self) -> list[Col[Member]]:
        return [Col("Pupil", lambda m: m.pupil_name), Col("Year", lambda m: m.year_group),
                Col("Joined", lambda m: uk(m.joined_on)), Col("Left", lambda m: uk(m.left_on)),
                Col("Share of the cost", self._share_text, align_right=True,
                    tooltip=self._share_tip),
                Col("Entry and exit", self._measures_text)]

    def _share_text(self, member: Member) -> str:
        group = self.current()
        if group is not None and group.joined_after_run(member):
            return "none: joined late"
        return money(self.shares.get(member.pupil_id, 0))

    def _share_tip(self, member: Member) -> str:
        group = self.current()
        if group is not None and group.joined_after_run(member):
            return (f"The cost is spread over the {plural(group.weeks, 'planned week')}, to "
                    f"{uk(group.run.end)}; this pupil joined after that. Set the group's end "
                    "date (or more weeks) to share the cost over the longer run.")
        return "Each school day's part of the cost is shared among the pupils present that day."

    def _measures_text(self, member: Member) -> str:
        found = self.measures.get(member.pupil_id, [])
        return "; ".join(f"{m.name}: {m.gain_text() or 'entry ' + format_value(m.kind, m.entry_value)}"
                         for m in found)

    def _build_layout(self, title: QLabel, note: QLabel) -> None:
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addStretch(1)
        for widget in (self.show_ended, self.new_button, self.edit_button, self.end_button,
                       self.timetable_button):
            bar.addWidget(widget)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addWidget(QLabel("<b>Pupils</b> (double-click to open a record)"))
        right_layout.addWidget(self.members, 2)
        member_bar = QHBoxLayout()
        member_bar.addWidget(self.add_button)
        member_bar.addWidget(self.leave_button)
        member_bar.addWidget(self.measures_button)
        member_bar.addStretch(1)
        right_layout.addLayout(member_bar)
        right_layout.addWidget(QLabel("<b>When it meets</b> (each week)"))
        right_layout.addWidget(self.slots, 1)
        slot_bar = QHBoxLayout()
        slot_bar.addWidget(self.add_slot_button)
        slot_bar.addWidget(self.remove_slot_button)
        slot_bar.addStretch(1)
        right_layout.addLayout(slot_bar)
        self.splitter = QSplitter(objectName="groups_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([560, 640])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(note)
        layout.addWidget(self.splitter, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Side by side on a wide window; on a narrower one (the main window at 1013 pixels)
        the chosen group goes under the list, which cut the groups' names to "N... br..." and
        pushed its pupils' entry and exit scores out of view beside it."""
        narrow = event.size().width() < GROUPS_NARROW
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            self.splitter.setSizes([200, 500] if narrow else [560, 640])
        super().resizeEvent(event)

    # --- reading -------------------------------------------------------------------------
    def changes_arrived(self, changes: Any) -> None:
        """A read again because something changed is not audited as a new view (the change
        was audited itself); opening the page or asking for ended groups is."""
        self._quiet = True
        try:
            super().changes_arrived(changes)
        finally:
            self._quiet = False

    def refresh(self) -> None:
        chosen = self.current()
        groups = self.runner.call(provision_groups.list_groups, self.show_ended.isChecked(),
                                  audit=not self._quiet)
        if not alive(self):
            return
        self.groups = groups
        self.model.set_rows(groups)
        row = next((i for i, g in enumerate(groups) if chosen and g.id == chosen.id), 0)
        if groups:
            self.table.selectRow(row)
        self.show_group()

    def current(self) -> Group | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    def show_group(self) -> None:
        group = self.current()
        for button in (self.edit_button, self.end_button, self.add_button, self.leave_button,
                       self.add_slot_button, self.remove_slot_button):
            button.setEnabled(self.can_manage and group is not None)
        if group is None:
            self.shares = {}
            self.summary.setText("No groups yet. Make one with <b>New group</b>."
                                 if not self.groups else "")
            self.member_model.set_rows([])
            self.slot_model.set_rows([])
            self.measures = {}
            self.measures_button.setEnabled(False)
            return
        self.measures_button.setEnabled(True)
        self.shares = group.shares()
        self.measures = {}
        for found in self.runner.call(measures.measures_for_group, group.id):
            self.measures.setdefault(found.pupil_id, []).append(found)
        if not alive(self):
            return
        present = group.pupils_today(self.session.clock.today())
        run = group.run
        ends = f"to {uk(group.end_date)}" if group.end_date else \
            f"no end date yet (costed over {plural(group.weeks, 'week')}, to {uk(run.end)})"
        self.summary.setText(
            f"<b>{group.name}</b> &middot; run by {group.staff_name}"
            + (f" ({group.staff_role})" if group.staff_role else "")
            + f"<br>From {uk(group.start_date)}, {ends}; {group.frequency}."
            + f"<br>Cost {money(group.cost_total_pence)}, shared among the pupils present "
            f"({plural(present, 'pupil')} today)."
            + self._late_note(group) + self._times_note(group))
        self.member_model.set_rows(list(group.members))
        self.slot_model.set_rows(list(group.slots))

    def _times_note(self, group: Group) -> str:
        """Said while the weekly times and the sessions a week disagree (each change that
        made them so was warned about and saved on purpose, so this is no question)."""
        found = sessions_mismatch(group.sessions_per_week, len(group.slots))
        return f"<br><b>Check the timetable:</b> {escape(found)}" if found else ""

    def _late_note(self, group: Group) -> str:
        late = [m.pupil_name for m in group.members if group.joined_after_run(m)]
        if not late:
            return ""
        return (f"<br><b>{escape(', '.join(late))}</b> joined after the costed "
                f"{plural(group.weeks, 'week')} and share{'s' if len(late) == 1 else ''} none "
                "of the cost: set the end date, or more weeks, to cost the time since.")

    # --- groups --------------------------------------------------------------------------
    def new_group(self) -> FormDialog:
        library = self.runner.call(provision_groups.library_choices)
        dialog = FormDialog("New provision group", group_fields(library),
                            lambda v: self._save_group(v, None),
                            intro="Choose a library item to fill in its details, or type them.",
                            values={"start_date": self.session.clock.today(), "weeks": "12",
                                    "sessions_per_week": "3", "minutes": "30"}, parent=self)
        combo = dialog.form.widgets["library_id"]
        combo.currentIndexChanged.connect(lambda _: self._fill_from_library(dialog))
        dialog.open()
        return dialog

    def _fill_from_library(self, dialog: FormDialog) -> None:
        library_id = dialog.form.widgets["library_id"].currentData()  # type: ignore[attr-defined]
        if library_id is None:
            return
        try:
            filled = self.runner.call(provision_groups.library_defaults, library_id)
        except SendeskError as exc:
            dialog.message.setText(str(exc))
            return
        dialog.form.set_values({k: v for k, v in filled.items() if k != "library_id"})

    def edit_group(self) -> FormDialog | None:
        group = self.current()
        if group is None:
            return None
        fields = [f for f in group_fields([]) if f.key != "library_id"]
        values = {"name": group.name, "area": group.area or "", "description": group.description,
                  "staff_name": group.staff_name, "staff_role": group.staff_role,
                  "start_date": group.start_date, "end_date": group.end_date,
                  "sessions_per_week": f"{group.sessions_per_week:f}",
                  "minutes": str(group.minutes), "weeks": str(group.weeks),
                  "cost_total": f"{group.cost_total_pence / 100:.2f}"}
        dialog = FormDialog(f"Edit {group.name}", fields, lambda v: self._save_group(v, group.id),
                            values=values, parent=self)
        dialog.open()
        return dialog

    def _save_group(self, values: dict[str, Any], group_id: int | None) -> Any:
        warnings = self.runner.call(provision_groups.group_warnings, values, group_id)
        go_ahead(self, "Check the group", warnings, "Save it anyway?",
                 "start_date" if warnings and warnings[0].startswith("The start") else None)
        if group_id is None:
            return self.runner.call(provision_groups.create_group, values)
        return self.runner.call(provision_groups.update_group, group_id, values)

    def end_group(self) -> FormDialog | None:
        group = self.current()
        if group is None:
            return None
        dialog = FormDialog(f"End {group.name}", [FieldSpec("end_date", "&Last day of the group",
                                                            "date", aliases=("Date the group ended",))],
                            lambda v: self._end(group, v["end_date"]),
                            intro="Every pupil still in the group leaves on that day.",
                            values={"end_date": self.session.clock.today()}, parent=self)
        dialog.open()
        return dialog

    def _end(self, group: Group, day: Any) -> None:
        go_ahead(self, f"End {group.name}", self.runner.call(
            provision_groups.end_warnings, group.id, day), "End it on that day anyway?",
            "end_date")
        self.runner.call(provision_groups.end_group, group.id, day)

    def staff_timetable(self):
        from .timetable_window import TimetableWindow
        group = self.current()
        window = TimetableWindow(self.session, staff_name=group.staff_name if group else "",
                                 parent=self, runner=self.runner)
        window.open()
        return window

    # --- members -------------------------------------------------------------------------
    def add_pupils(self) -> AddPupilsDialog | None:
        group = self.current()
        if group is None:
            return None
        dialog = AddPupilsDialog(self.session, self.runner, group, self)
        dialog.open()
        return dialog

    def current_member(self) -> Member | None:
        rows = self.members.selectionModel().selectedRows()
        return self.member_model.row_object(rows[0].row()) if rows else None

    def member_leaves(self) -> FormDialog | None:
        member = self.current_member()
        if member is None:
            prompts.error(self, "A pupil leaves", "Choose the pupil in the list first.")
            return None
        dialog = FormDialog(f"{member.pupil_name} leaves the group",
                            [FieldSpec("left_on", "&Leaving date (their last day)", "date",
                                       aliases=("Leaving date",))],
                            lambda v: self._leave(member, v["left_on"]),
                            values={"left_on": self.session.clock.today()}, parent=self)
        dialog.open()
        return dialog

    def _leave(self, member: Member, day: Any) -> None:
        go_ahead(self, f"{member.pupil_name} leaves the group", self.runner.call(
            provision_groups.leaving_warnings, member.id, day), "Save it anyway?", "left_on")
        self.runner.call(provision_groups.member_leaves, member.id, day)

    def member_measures(self) -> MeasuresDialog | None:
        """The chosen member's entry and exit on this group, with the gain (the same dialog as
        a plan's provision line)."""
        group, member = self.current(), self.current_member()
        if group is None or member is None:
            prompts.error(self, "Entry and exit", "Choose the pupil in the list first.")
            return None
        offered: list[str] = []
        if group.library_id is not None:
            offered = list(self.runner.call(provision_library.get_item, group.library_id).measures)
        dialog = MeasuresDialog(self.session, self.runner,
                                of_member(group.id, group.name, member.pupil_id,
                                          member.pupil_name), offered, parent=self)
        dialog.open()
        return dialog

    def _open_member(self, index) -> None:
        member = self.member_model.row_object(index.row())
        if member is not None:
            self.open_pupil.emit(member.pupil_id)

    # --- times ---------------------------------------------------------------------------
    def add_slot(self) -> FormDialog | None:
        group = self.current()
        if group is None:
            return None
        dialog = FormDialog(f"When {group.name} meets", [
            FieldSpec("day", "&Day", "choice", [(name, number) for number, name in DAYS.items()]),
            FieldSpec("start_time", "&From (hh:mm)", aliases=("From",)),
            FieldSpec("end_time", "&To (hh:mm)", aliases=("To",)),
            FieldSpec("place", "&Place", aliases=("Place",))],
            lambda v: self._save_slot(group, v), parent=self)
        dialog.open()
        return dialog

    def _save_slot(self, group: Group, values: dict[str, Any]) -> Any:
        clashes = self.runner.call(provision_groups.slot_clashes, group.id, values)
        go_ahead(self, "Timetable clash" if clashes else "Check the timetable",
                 self.runner.call(provision_groups.slot_warnings, group.id, values),
                 "Add this time anyway?", "start_time", "Not added.")
        return self.runner.call(provision_groups.add_slot, group.id, values)

    def remove_slot(self) -> None:
        rows = self.slots.selectionModel().selectedRows()
        slot = self.slot_model.row_object(rows[0].row()) if rows else None
        if slot is None:
            prompts.error(self, "Remove a time", "Choose the time in the list first.")
            return
        try:
            warnings = self.runner.call(provision_groups.removal_warnings, slot.id)
        except SendeskError as exc:
            prompts.error(self, "Remove a time", str(exc))
            return
        if not prompts.confirm(self, "Remove a time", "\n".join(
                [f"Stop meeting {slot.text}?", *(f"\n{w}" for w in warnings)])):
            return
        try:
            self.runner.call(provision_groups.remove_slot, slot.id, sender=self.remove_slot_button)
        except SendeskError as exc:
            prompts.error(self, "Remove a time", str(exc))
