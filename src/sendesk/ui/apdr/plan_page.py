"""The Plan page: aspirations, outcomes (checked for SMART-ness as they are written), the
provision with its yearly cost against the notional threshold, and the review date; agreeing
the plan goes through the core, which refuses a plan that is not ready."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...errors import ValidationError
from ...models import dates, outcomes, provision, reviews
from ...models.apdr import Part
from ...models.outcomes import PFA_AREAS
from ...models.provision import CostBasis, CostLevel
from ...models.roles import Permission
from ...records import apdr, plan_people, stale
from ...records.specialists import Recommendation
from ...records.stale import StaleRecord
from ..accessible import label_for
from ..apdr_models import AMBER, RED
from ..dates import uk
from ..forms import FieldSpec, FormDialog, FormWidget
from ..prompts import prompts
from ..rows_model import Col, RowsModel
from ..stale_dialog import StaleDialog, show_stale
from .dialogs import ItemDialog, OutcomeDialog
from .page import Host, Page
from .view import CycleView
from .widgets import ERROR, bullet_list, compact, make_view, money, scrolling, selected_row, set_read_only, watch


class PlanPage(Page):
    part = Part.PLAN

    def __init__(self, wizard: Host) -> None:
        super().__init__(wizard)
        self.outcome_rows: list[dict[str, Any]] = []
        self.item_rows: list[dict[str, Any]] = []
        self.core_problems: tuple[str, ...] = ()
        self.opened_draft: dict[str, Any] = {}
        self.opened_form: dict[str, Any] = {}
        self.stale_dialog: StaleDialog | None = None
        self.form = FormWidget([
            FieldSpec("aspirations", "Aspirations", "text",
                      placeholder="What the pupil and family hope for, in their words"),
            FieldSpec("plan_date", "Plan agreed on", "date", aliases=("Plan date",)),
            FieldSpec("review_date", "Review date", "date", aliases=("Review date",)),
        ])
        # The people responsible for the support: a person's name, picked from the school's
        # users or typed; they may change on an agreed plan, so they are saved on their own.
        self.teacher = QComboBox(objectName="responsible_teacher", editable=True)
        self.key_worker = QComboBox(objectName="key_worker", editable=True)
        self.save_people = QPushButton("Save &names", objectName="save_plan_people")
        self.save_people.clicked.connect(lambda: self.save_names())
        self.people_row = QWidget(objectName="plan_people_row")
        people = QHBoxLayout(self.people_row)
        people.setContentsMargins(0, 0, 0, 0)
        for text, box in (("Responsible &teacher", self.teacher), ("&Key worker", self.key_worker)):
            label = QLabel(text)
            label_for(label, box)
            box.setMinimumContentsLength(16)
            people.addWidget(label)
            people.addWidget(box)
        people.addWidget(self.save_people)
        people.addStretch(1)
        self.review_hint = QLabel(objectName="review_hint", wordWrap=True)
        self.review_hint.setStyleSheet("color: #555")
        for widget in self.form.widgets.values():
            watch(widget, self.changed)
        self.outcome_model: RowsModel[dict] = RowsModel([
            Col("#", lambda o: o["_n"], align_right=True),
            Col("Outcome", lambda o: o["text"]),
            Col("How it will be measured", lambda o: o["measure"]),
            # The named measure the impact page groups the outcome's gains by.
            Col("Measure used", lambda o: o.get("measure_name") or ""),
            Col("By", lambda o: uk(o["target_date"])),
            Col("Preparing for Adulthood", lambda o: PFA_AREAS.get(o["pfa_area"] or "", "")),
        ], background=self._outcome_colour, parent=self)
        self.outcome_view = make_view("outcomes", "Outcomes", self.outcome_model, stretch=(1, 2, 3))
        self.outcome_view.doubleClicked.connect(lambda *_: self.edit_outcome())
        self.recommended_by: dict[int, str] = {}
        self.library_names: Mapping[int, str] = {}
        self.item_model: RowsModel[dict] = RowsModel([
            Col("Provision", lambda i: i["description"]),
            Col("Area", lambda i: i["area"] or ""),
            Col("Delivered by", lambda i: i["delivered_by"]),
            Col("How often", lambda i: provision.describe_frequency(i)),
            Col("Rate", lambda i: f"{money(i['rate_pence'])} {CostBasis(i['cost_basis']).label}"),
            Col("Yearly cost", lambda i: money(provision.yearly_cost_pence(provision.costing_of(i))),
                align_right=True),
            Col("Came from", self.came_from),
        ], parent=self)
        self.item_view = make_view("items", "Provision", self.item_model, 200, stretch=(0, 2, 3, 4, 6))
        self.item_view.doubleClicked.connect(lambda *_: self.edit_item())
        self.cost = QLabel(objectName="cost", wordWrap=True)
        self.warnings = QLabel(objectName="warnings", wordWrap=True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.recommendations = QLabel(objectName="recommendations", wordWrap=True)
        self.recommendations.setStyleSheet(f"background: {AMBER.name()}; padding: 6px")
        self.buttons: list[QPushButton] = []

        def button(text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
            widget = QPushButton(text, objectName=name)
            widget.clicked.connect(lambda: slot())   # not clicked(bool) as an argument
            self.buttons.append(widget)
            return widget

        self.copy_button = button("Start from the &last plan", "copy_plan", self.copy_previous)
        outcome_bar = QHBoxLayout()
        for widget in (button("Add &outcome...", "add_outcome", self.add_outcome),
                       button("&Edit...", "edit_outcome", self.edit_outcome),
                       button("Re&move", "remove_outcome", self.remove_outcome)):
            outcome_bar.addWidget(widget)
        outcome_bar.addStretch(1)
        item_bar = QHBoxLayout()
        for widget in (button("Add &provision...", "add_item", self.add_item),
                       button("Add from a specialist's &recommendation...", "add_recommended",
                              self.add_recommended),
                       button("Ed&it...", "edit_item", self.edit_item),
                       button("Remo&ve", "remove_item", self.remove_item)):
            item_bar.addWidget(widget)
        item_bar.addStretch(1)
        self.agree = button("A&gree the plan", "agree_plan", self.agree_plan)
        compact(self.form)
        content = QWidget()
        layout = QVBoxLayout(content)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Plan</h3>The outcomes agreed with the pupil and parents, the "
                             "provision that will help reach them, and when it will be reviewed."), 1)
        top.addWidget(self.copy_button)
        layout.addLayout(top)
        layout.addWidget(self.seeded)
        layout.addWidget(self.form)
        layout.addWidget(self.people_row)
        layout.addWidget(self.review_hint)
        layout.addWidget(QLabel("<b>Outcomes</b> (about six)"))
        layout.addWidget(self.outcome_view)
        layout.addLayout(outcome_bar)
        layout.addWidget(QLabel("<b>Provision</b> (additional to or different from good "
                                "whole-class teaching)"))
        layout.addWidget(self.recommendations)
        layout.addWidget(self.item_view)
        layout.addLayout(item_bar)
        layout.addWidget(self.cost)
        layout.addWidget(self.warnings)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.agree)
        layout.addLayout(bottom)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(content, "Plan page"))

    # --- state ---
    def editable(self) -> bool:
        cycle = self.wizard.cycle
        return (self.session.can(Permission.MANAGE_PLANS) and self.wizard.is_current
                and not (cycle.plan and cycle.plan.agreed))

    def load(self, view: CycleView) -> None:
        self._loading = True
        cycle = view.cycle
        plan = cycle.plan
        self.form.clear_errors()
        if plan is None:
            self.form.set_values({"aspirations": "", "plan_date": self.school_day_before_or_on(
                                      self.session.clock.today()),
                                  "review_date": ""})
            self.outcome_rows, self.item_rows = [], []
        else:
            self.form.set_values({"aspirations": plan.aspirations, "plan_date": plan.plan_date,
                                  "review_date": plan.review_date})
            self.outcome_rows = [dict(o.fields(), id=o.id) for o in plan.outcomes]
            self.item_rows = [dict(i.fields(), id=i.id, recommendation_id=i.recommendation_id,
                                   library_id=i.library_id) for i in plan.items]
        # The draft as opened: Save is refused if another PC changed it meanwhile.
        self.opened_draft = apdr.draft_as_opened(plan)
        self.opened_form = self.form.values()
        self.recommended_by = view.recommended_by
        self.library_names = view.library_names
        editable = self.editable()
        filled = self.offer(view, self.form,
                            {"aspirations": view.seed.aspirations} if view.seed else {})
        set_read_only(self.form, not editable)
        self._load_people(plan)
        self.review_hint.setVisible(editable)
        for widget in self.buttons:
            widget.setVisible(editable)
        self.copy_button.setVisible(editable and cycle.number > 1 and not self.outcome_rows
                                    and not self.item_rows)
        self.core_problems = ()
        self.say(f"Agreed on {uk(plan.plan_date)}; review on {uk(plan.review_date)}."
                 if plan is not None and plan.agreed else "")
        self._loading = False
        self.dirty = filled
        self.refresh_lists()

    def _load_people(self, plan: Any) -> None:
        staff = self.read(plan_people.staff_names) or []
        may = (plan is not None and self.session.can(Permission.MANAGE_PLANS)
               and self.wizard.is_current)
        for box, name in ((self.teacher, plan.responsible_teacher if plan else ""),
                          (self.key_worker, plan.key_worker if plan else "")):
            box.clear()
            box.addItems(staff)
            box.setCurrentText(name)
            box.setEnabled(may)
        self.save_people.setVisible(may)
        self.people_row.setToolTip("" if plan is not None else
                                   "Save the plan's draft first, then name the people.")

    def save_names(self) -> None:
        if self.write(plan_people.set_plan_people, self.wizard.cycle_id,
                      self.teacher.currentText(), self.key_worker.currentText(),
                      sender=self.save_people) is not None:
            self.say("Names saved.")

    def changed(self) -> None:
        self.touch()
        self.core_problems = ()
        self.refresh_checks()

    def refresh_lists(self) -> None:
        for n, row in enumerate(self.outcome_rows, start=1):
            row["_n"] = n
        self.outcome_model.set_rows(self.outcome_rows)
        total = self.yearly_cost()
        self.item_model.set_rows(self.item_rows, ["Total", "", "", "", "", money(total), ""]
                                 if self.item_rows else None)
        self.refresh_checks()

    def _date(self, key: str) -> dt.date | None:
        try:
            return dates.parse_date(self.form.values()[key], key, required=False)
        except ValidationError:
            return None

    def came_from(self, row: Mapping[str, Any]) -> str:
        """The library item a line was filled from (its own copy may since have been changed)
        and the specialist who recommended it: one column, so the table stays readable in the
        wizard's width on a laptop."""
        found = []
        if (name := self.library_names.get(row.get("library_id"))) is not None:
            found.append(f"Library: {name}")
        if (service := self.recommended_by.get(row.get("recommendation_id"))) is not None:
            found.append(f"Recommended by {service}")
        return "; ".join(found)

    def yearly_cost(self) -> int:
        return provision.total_pence(provision.yearly_cost_pence(provision.costing_of(i))
                                     for i in self.item_rows if i.get("ended_on") is None)

    def smart_warnings(self) -> list[outcomes.SmartWarning]:
        return outcomes.plan_warnings(self.outcome_rows, year_group=self.wizard.pupil.details.year_group,
                                      plan_date=self._date("plan_date"),
                                      review_date=self._date("review_date"))

    def _outcome_colour(self, row: dict) -> Any:
        position = row["_n"] - 1
        return AMBER if any(w.outcome == position for w in self.smart_warnings()) else None

    def refresh_checks(self) -> None:
        """Live: the review date limit, the cost against the threshold, the SMART warnings."""
        plan_date = self._date("plan_date")
        shut = self.shut_on(plan_date)
        self.review_hint.setStyleSheet(ERROR if shut else "color: #555")
        if shut:
            self.review_hint.setText(shut)
        elif plan_date is not None:
            calendar = self.wizard.view.calendar
            latest = reviews.latest_review_date(plan_date, calendar)
            self.review_hint.setText(
                f"Agree a review date with the parents, on a school day, no later than "
                f"{uk(latest)} (at most {calendar.review_weeks} weeks on, about a term); about a "
                f"half-term on ({uk(reviews.half_termly_review_by(plan_date, calendar))}) if "
                "needs are changing.")
        total = self.yearly_cost()
        level = provision.cost_level(total)
        warning = provision.cost_warning(total)
        share = int(Decimal(total) * 100 / provision.NOTIONAL_THRESHOLD_PENCE)
        self.cost.setText(warning or f"Yearly cost of this plan: {money(total)} ({share} % of the "
                          f"{provision.format_pounds(provision.NOTIONAL_THRESHOLD_PENCE)} notional "
                          "threshold).")
        colour = {CostLevel.NEAR: AMBER, CostLevel.OVER: RED}.get(level)
        self.cost.setStyleSheet(f"padding: 6px; background: {colour.name()}" if colour else "padding: 6px")
        self.cost.setProperty("level", level.value)
        lines = [str(w) for w in self.smart_warnings()]
        if self.editable() or self.core_problems:
            lines = list(self.core_problems) + lines
        self.warnings.setText(("<b>Check before agreeing</b><br>" + bullet_list(lines)) if lines
                              else "The outcomes have measures and dates.")
        self.warnings.setStyleSheet(f"padding: 6px; background: {AMBER.name()}" if lines
                                    else "padding: 6px; color: #2e6b30")
        waiting = [r for r in self.wizard.view.waiting
                   if r.id not in {i.get("recommendation_id") for i in self.item_rows}]
        self.waiting = waiting
        self._recommended_button().setEnabled(bool(waiting))
        self._recommended_button().setToolTip(
            "" if waiting else "No specialist's recommendation is waiting to go into the plan.")
        self.recommendations.setVisible(bool(waiting))
        self.recommendations.setText("Specialists' recommendations not yet in the plan: "
                                     + "; ".join(f"{r.service}: {r.text}" for r in waiting))

    # --- outcomes and provision ---
    def _dialog_dates(self) -> tuple[Callable[[], dt.date | None], Callable[[], dt.date | None]]:
        return (lambda: self._date("plan_date")), (lambda: self._date("review_date"))

    def add_outcome(self) -> OutcomeDialog:
        dialog = OutcomeDialog(None, self.wizard.pupil.details.year_group, *self._dialog_dates(),
                               parent=self, primary_need=self.wizard.pupil.primary_need,
                               measures=self.offered_measures())
        dialog.accepted.connect(lambda: self._put(self.outcome_rows, None, dialog.cleaned))
        dialog.open()
        return dialog

    def edit_outcome(self) -> OutcomeDialog | None:
        row = selected_row(self.outcome_view)
        if row is None or not self.editable():
            return None
        current = self.outcome_rows[row]
        dialog = OutcomeDialog(current, self.wizard.pupil.details.year_group, *self._dialog_dates(),
                               parent=self, measures=self.offered_measures())
        dialog.accepted.connect(lambda: self._put(self.outcome_rows, row, dialog.cleaned))
        dialog.open()
        return dialog

    def offered_measures(self) -> list[str]:
        """The measures of the library items the plan's lines are filled from (those on the
        page now, saved or not), for an outcome to name the one it is judged by."""
        library = {item.id: item for item in self.wizard.view.library}
        found: dict[str, None] = dict.fromkeys(self.wizard.view.library_measures)
        for row in self.item_rows:
            item = library.get(row.get("library_id"))
            if item is not None:
                found.update(dict.fromkeys(item.measures))
        return list(found)

    def _put(self, rows: list[dict[str, Any]], row: int | None, cleaned: dict[str, Any] | None) -> None:
        """A dialog's result into the list: a new row, or a replacement keeping the stored id."""
        if cleaned is None:
            return
        if row is None:
            rows.append(dict(cleaned, id=None))
        else:
            rows[row] = dict(cleaned, id=rows[row].get("id"))
        self._edited()

    def _remove(self, view: QTableView, rows: list[dict[str, Any]]) -> None:
        row = selected_row(view)
        if row is not None and row < len(rows):
            del rows[row]
            self._edited()

    def _edited(self) -> None:
        """The outcomes or provision changed: what the core found wrong with the saved draft
        (no outcomes, no provision) no longer describes the page, so it is not shown again
        until the next save checks it afresh."""
        self.touch()
        self.core_problems = ()
        self.refresh_lists()

    def remove_outcome(self) -> None:
        self._remove(self.outcome_view, self.outcome_rows)

    def add_item(self, values: Mapping[str, Any] | None = None) -> ItemDialog:
        dialog = ItemDialog(values, parent=self, primary_need=self.wizard.pupil.primary_need,
                            library=self.wizard.view.library)
        dialog.accepted.connect(lambda: self._put(self.item_rows, None, dialog.cleaned))
        dialog.open()
        return dialog

    def _recommended_button(self) -> QPushButton:
        return next(b for b in self.buttons if b.objectName() == "add_recommended")

    def add_recommended(self) -> QDialog | None:
        """Carry a specialist's recommendation into the plan as a provision item linked to it.
        With more than one waiting, the SENCO first chooses which (every open one is listed,
        with who made it and when); the provision form then opens already describing it."""
        if not self.waiting:
            self.say("There are no specialists' recommendations waiting to go into the plan.")
            return None
        if len(self.waiting) == 1:
            return self._add_from(self.waiting[0])
        waiting = list(self.waiting)
        chooser = FormDialog("Add from a specialist's recommendation", [FieldSpec(
            "recommendation", "Recommendation", "choice",
            [(f"{r.service} ({uk(r.recommended_on)}): {r.text}", r.id) for r in waiting])],
            lambda v: v["recommendation"], parent=self,
            intro="Which recommendation will this provision carry out? Those listed are not yet "
                  "in the plan.")
        chooser.setObjectName("choose_recommendation")
        chooser.setMinimumWidth(640)
        chooser.accepted.connect(lambda: self._add_from(
            next(r for r in waiting if r.id == chooser.result_value)))
        chooser.open()
        return chooser

    def _add_from(self, recommendation: Recommendation) -> ItemDialog:
        return self.add_item({"description": recommendation.text[:200],
                              "recommendation_id": recommendation.id})

    def edit_item(self) -> ItemDialog | None:
        row = selected_row(self.item_view)
        if row is None or not self.editable() or row >= len(self.item_rows):
            return None
        dialog = ItemDialog(self.item_rows[row], parent=self, library=self.wizard.view.library)
        dialog.accepted.connect(lambda: self._put(self.item_rows, row, dialog.cleaned))
        dialog.open()
        return dialog

    def remove_item(self) -> None:
        self._remove(self.item_view, self.item_rows)

    # --- saving ---
    def raw(self) -> dict[str, Any]:
        keep_outcome = ("id", "text", "measure", "target_date", "area", "pfa_area", "measure_name")
        keep_item = ("id", "recommendation_id", "description", "area", "delivered_by", "group_size",
                     "sessions_per_week", "minutes", "weeks", "cost_basis", "rate_pence",
                     "library_id")
        return {**self.form.values(),
                "outcomes": [{k: o.get(k) for k in keep_outcome} for o in self.outcome_rows],
                "items": [{k: i.get(k) for k in keep_item} for i in self.item_rows]}

    def save_draft(self) -> bool:
        if not self.editable() or not self.dirty:
            return True
        if self.stale_dialog is not None and self.stale_dialog.isVisible():
            return False   # both versions are on screen: the SENCO chooses before anything saves
        self.form.clear_errors()
        check = self.run(self._save_checked)
        if check is None:
            return False
        self.dirty = False
        plan = self.wizard.cycle.plan   # read again when the runner said the plan changed
        self.opened_draft = apdr.draft_as_opened(plan)
        for row, outcome in zip(self.outcome_rows, plan.outcomes, strict=False):
            row["id"] = outcome.id
        for row, item in zip(self.item_rows, plan.items, strict=False):
            row["id"] = item.id
        self.show_check(check)
        self.say("Draft saved.")
        return True

    def _save_checked(self) -> apdr.PlanCheck:
        """Save the page over the draft as it opened; changed on another PC meanwhile, the two
        versions are shown side by side and nothing is saved (the page says why)."""
        try:
            return self.wizard.runner.call(apdr.save_plan, self.wizard.cycle_id, self.raw(),
                                           expected=self.opened_draft)
        except StaleRecord as exc:
            self.stale_dialog = show_stale(self, exc, partial(self._keep_mine, exc),
                                           self._take_theirs)
            raise

    def _my_changes(self) -> dict[str, Any]:
        """The parts of the draft this SENCO changed since the page opened: each box, and the
        outcomes and the provision each as the list the page holds (merged line by line with
        the other PC's by Keep mine)."""
        mine: dict[str, Any] = {k: v for k, v in self.form.values().items()
                                if v != self.opened_form.get(k)}
        raw = self.raw()
        for key, rows in (("outcomes", self.outcome_rows), ("items", self.item_rows)):
            if stale.plain(raw[key]) != stale.plain(self.opened_draft.get(key, [])):
                mine[key] = [dict(row) for row in rows]
        return mine

    def _keep_mine(self, refused: StaleRecord) -> None:
        """This SENCO's changes over the version now saved (what they left alone keeps the
        other PC's; theirs stays in the change history), saved over that version: a third
        change meanwhile is refused again. The outcomes and provision are merged line by line
        (records/stale.py merge_rows): a line the other PC added is kept, never removed
        under this SENCO's name."""
        mine, opened = self._my_changes(), self.opened_draft
        self._take_theirs()
        self.opened_draft = refused.now
        self.form.set_values({k: v for k, v in mine.items() if k in self.form.widgets})
        for key, held in (("outcomes", self.outcome_rows), ("items", self.item_rows)):
            if key in mine:
                held[:] = stale.merge_rows(opened.get(key, []), mine[key],
                                           refused.now.get(key, []))
        self._edited()
        self.save_draft()

    def _take_theirs(self) -> None:
        """The page shows the draft as it is saved now; what was typed is dropped."""
        self.dirty = False
        self.wizard.refresh()
        self.say("Showing the version saved on the other PC.")

    def show_check(self, check: apdr.PlanCheck) -> None:
        self.core_problems = check.problems
        self.refresh_checks()

    def copy_previous(self) -> None:
        check = self.write(apdr.copy_previous_plan, self.wizard.cycle_id, self._date("plan_date"),
                           self._date("review_date"), sender=self.copy_button)
        if check is not None:
            self.load(self.wizard.view)
            self.show_check(check)
            self.say("The last plan's aspirations, outcomes not yet achieved and provision still "
                     "running have been copied in. Give the outcomes new dates.")

    def agree_plan(self) -> None:
        if not self.save_draft():
            return
        check = self.read(apdr.check_plan, self.wizard.cycle_id, sender=self.agree)
        if check is None:
            return
        if check.problems:
            self.show_check(check)
            self.say(check.problems[0], error=True)
            return
        text = "Agree this plan with the parents? Once agreed it cannot be changed; provision can " \
               "still be added or ended."
        if check.smart:
            text += f"\n\nIt still has {len(check.smart)} SMART warning(s)."
        if check.cost_warning:
            text += "\n\n" + check.cost_warning
        if not prompts.confirm(self, "Agree the plan", text):
            return
        if self.write(apdr.agree_plan, self.wizard.cycle_id, sender=self.agree) is not None:
            self.wizard.go_to(Part.DO)

    def mark(self, field: str | None) -> None:
        self.form.mark_error(field)

