"""The outcome and provision-item dialogs of the APDR plan, with their live checks: the SMART
check of an outcome and the yearly cost of an item, worked out as the SENCO types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QWidget

from ...errors import ValidationError
from ...models import dates, outcomes, provision
from ...models.outcomes import PFA_AREAS
from ...models.provision import CostBasis
from ...models.provision_library import LibraryItem
from ...models.sen import areas, need_codes
from ..apdr_models import AMBER
from ..forms import FieldSpec, FormDialog
from ..prompts import prompts
from .widgets import bullet_list, money, watch

AREA_CHOICES = [("", None)] + [(label, code) for code, label in areas().items()]
PFA_CHOICES = [("", None)] + [(label, code) for code, label in PFA_AREAS.items()]
BASIS_CHOICES = [(basis.label.capitalize(), basis.value) for basis in CostBasis]


def with_area(values: Mapping[str, Any] | None, primary_need: str | None) -> dict[str, Any]:
    """A new outcome or item starts in the area of the pupil's primary need (SLCN -> the
    communication and interaction area); one already held keeps whatever area it has."""
    shown = dict(values or {})
    need = need_codes().get(primary_need or "")
    if "area" not in shown and need is not None and need.area:
        shown["area"] = need.area
    return shown


class MeasureBox(QComboBox):
    """The named measure an outcome is judged by: typed, or picked from the measures of the
    library items the plan's provision came from."""

    def __init__(self, offered: Sequence[str]) -> None:
        super().__init__()
        self.setEditable(True)
        self.addItems(["", *offered])
        # An editable combo sizes itself to its items: with none offered it would be a sliver
        # beside its label, too narrow to read what is typed.
        self.setMinimumContentsLength(28)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.lineEdit().setPlaceholderText("for example YARC reading age (optional)")

    def value(self) -> str:
        return self.currentText().strip()

    def set_value(self, value: str | None) -> None:
        self.setEditText(value or "")


class OutcomeDialog(FormDialog):
    """One outcome. The SMART check runs as the SENCO types."""

    def __init__(self, values: Mapping[str, Any] | None, year_group: str,
                 plan_date: Callable[[], dt.date | None], review_date: Callable[[], dt.date | None],
                 parent: QWidget | None = None, primary_need: str | None = None,
                 measures: Sequence[str] = ()) -> None:
        # Each label has its own Alt key, as the provision dialog's do; &Save and &Cancel
        # keep S and C.
        fields = [FieldSpec("text", "&Outcome", "text", placeholder="What the pupil will be able to do",
                            aliases=("Outcome",)),
                  FieldSpec("measure", "&How it will be measured", "text",
                            placeholder="for example '8 out of 10 tricky words on two checks'"),
                  FieldSpec("measure_name", "&Measure used", "widget",
                            make=lambda: MeasureBox(measures)),
                  FieldSpec("target_date", "To achieve &by", "date", aliases=("Date to achieve it by",)),
                  FieldSpec("area", "&Area of need", "choice", AREA_CHOICES),
                  FieldSpec("pfa_area", "&Preparing for Adulthood", "choice", PFA_CHOICES)]
        self.cleaned: dict[str, Any] | None = None
        super().__init__("Outcome", fields, self._accept, values=with_area(values, primary_need),
                         parent=parent)
        self.setObjectName("outcome_dialog")
        self._year_group, self._plan_date, self._review_date = year_group, plan_date, review_date
        self.smart = QLabel(objectName="smart", wordWrap=True)
        self.smart.setTextFormat(Qt.TextFormat.RichText)
        self.layout().insertWidget(self.layout().indexOf(self.message), self.smart)
        for widget in self.form.widgets.values():
            watch(widget, self.check)
        self.check()

    def check(self) -> list[outcomes.SmartWarning]:
        values = self.form.values()
        try:
            target = dates.parse_date(values["target_date"], "Date", required=False)
        except ValidationError:
            target = None
        found = outcomes.outcome_warnings({**values, "target_date": target},
                                          plan_date=self._plan_date(), review_date=self._review_date())
        if outcomes.needs_pfa(self._year_group) and not values.get("pfa_area"):
            found.append(outcomes.SmartWarning(
                "pfa_suggested", f"Year {self._year_group}: consider linking this outcome to a "
                "Preparing for Adulthood area."))
        if found:
            self.smart.setText("<b>SMART check</b><br>" + bullet_list(
                [w.message[0].upper() + w.message[1:] for w in found]))
            self.smart.setStyleSheet(f"background: {AMBER.name()}; padding: 6px")
        else:
            self.smart.setText("SMART check: it has a measure and a date.")
            self.smart.setStyleSheet("color: #2e6b30; padding: 6px")
        return found

    def _accept(self, values: dict[str, Any]) -> dict[str, Any]:
        self.cleaned = outcomes.clean_outcome(values)
        return self.cleaned


class ItemDialog(FormDialog):
    """One provision item. Its yearly cost is worked out as the SENCO types."""

    def __init__(self, values: Mapping[str, Any] | None, parent: QWidget | None = None,
                 with_start: bool = False, title: str = "Provision",
                 primary_need: str | None = None, library: Sequence[LibraryItem] = ()) -> None:
        held = (values or {}).get("library_id")
        self.library = {item.id: item for item in library}
        choices: list[tuple[str, Any]] = [("Not from the library (type it below)", None)]
        choices += [(f"{item.name} ({item.area_label})", item.id) for item in library]
        if held is not None and held not in self.library:
            choices.append(("The library item this line came from (now retired)", held))
        fields = [FieldSpec("library_id", "From the &library", "choice", choices,
                            aliases=("library",)),
                  FieldSpec("description", "&What the provision is", aliases=("description",)),
                  FieldSpec("area", "&Area of need", "choice", AREA_CHOICES),
                  FieldSpec("delivered_by", "Who &delivers it", placeholder="for example Teaching assistant"),
                  FieldSpec("group_size", "&Group size", placeholder="1 for one-to-one"),
                  FieldSpec("sessions_per_week", "Sessions a wee&k", placeholder="0.5 is once a fortnight"),
                  FieldSpec("minutes", "&Minutes a session", aliases=("Minutes a session",)),
                  FieldSpec("weeks", "Weeks a &year", placeholder=f"{provision.DEFAULT_WEEKS} for the whole year"),
                  FieldSpec("cost_basis", "C&ost charged", "choice", BASIS_CHOICES),
                  FieldSpec("rate", "Hourly &rate", placeholder="for example 18.50",
                            aliases=tuple(b.rate_label for b in CostBasis))]
        if with_start:
            fields.append(FieldSpec("started_on", "S&tarts on", "date", aliases=("Start date",)))
        self.cleaned: dict[str, Any] | None = None
        self.recommendation_id = (values or {}).get("recommendation_id")
        shown = with_area(values, primary_need)
        shown.setdefault("weeks", provision.DEFAULT_WEEKS)
        shown.setdefault("group_size", 1)
        if "rate_pence" in shown:
            shown["rate"] = provision.money_for_csv(int(shown["rate_pence"]))
        if isinstance(shown.get("cost_basis"), CostBasis):
            shown["cost_basis"] = shown["cost_basis"].value
        if isinstance(shown.get("sessions_per_week"), Decimal):
            shown["sessions_per_week"] = f"{shown['sessions_per_week'].normalize():f}"
        super().__init__(title, fields, self._accept, values=shown, parent=parent,
                         intro="Costs are for a year. Staff time and bought-in sessions are shared "
                               "by the pupils in the group; a yearly amount is this pupil's own.")
        self.setObjectName("item_dialog")
        self.cost = QLabel(objectName="cost", wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.layout().insertWidget(self.layout().indexOf(self.message), self.cost)
        self.evidence = QLabel(objectName="evidence", wordWrap=True)
        self.evidence.setStyleSheet("color: #555; padding: 0 6px")
        self.layout().insertWidget(self.layout().indexOf(self.form) + 1, self.evidence)
        for widget in self.form.widgets.values():
            watch(widget, self.check)
        # What a new line's fields hold before anything is typed; a saved line's are its own.
        self._untyped = {} if (values or {}).get("description") else self.form.values()
        picker = self.form.widgets["library_id"]
        assert isinstance(picker, QComboBox)
        picker.activated.connect(lambda _index: self.fill_from_library())
        self.show_evidence()
        self.check()

    def fill_from_library(self) -> None:
        """The chosen library item fills the line; every field can still be changed. What the
        SENCO typed (or a saved line held) is replaced only if they say so: No keeps it, with
        the line still linked to the item."""
        before = self.form.values()
        item = self.library.get(before["library_id"])
        if item is not None:
            line = item.provision_line()
            self.form.set_values({**line, "cost_basis": CostBasis.HOUR.value,
                                  "rate": provision.money_for_csv(line["rate_pence"])})
            filled = self.form.values()
            if self._typed(before, filled) and not prompts.confirm(
                    self, "From the library",
                    f"Replace what you have typed with {item.name}'s details?"):
                self.form.set_values({**before, "library_id": item.id})
            else:
                self._untyped = filled
        self.show_evidence()

    def _typed(self, before: Mapping[str, Any], filled: Mapping[str, Any]) -> bool:
        """Whether filling would change a field holding something other than what the empty
        line or the last library item put there."""
        return any(before[key] not in (None, "", filled[key], self._untyped.get(key))
                   for key in filled if key != "library_id")

    def show_evidence(self) -> None:
        item = self.library.get(self.form.values()["library_id"])
        self.evidence.setVisible(item is not None)
        if item is not None:
            self.evidence.setText(f"{item.evidence_summary} Usually judged by: "
                                  f"{'; '.join(item.measures) or 'not given'}.")

    def check(self) -> int | None:
        values = self.form.values()
        basis = CostBasis(values["cost_basis"] or "hour")
        self.relabel("rate", basis.rate_label)
        try:
            item = provision.clean_item({**values, "description": values["description"] or "x"})
        except ValidationError as exc:
            # The reason is a sentence of its own, with its own full stop: in brackets with
            # another after it, it read "(0.5 is once a fortnight).)."
            self.cost.setText(f"Yearly cost: not worked out yet. {escape(str(exc))}")
            self.cost.setStyleSheet("color: #555; padding: 6px")
            return None
        pence = provision.yearly_cost_pence(provision.costing_of(item))
        self.cost.setText(f"Yearly cost for this pupil: <b>{money(pence)}</b> "
                          f"({escape(provision.describe_frequency(item))}).")
        self.cost.setStyleSheet("padding: 6px")
        return pence

    def _accept(self, values: dict[str, Any]) -> dict[str, Any]:
        self.cleaned = provision.clean_item(values)
        if "started_on" in values:
            self.cleaned["started_on"] = dates.require_date(values["started_on"], "Start date")
        self.cleaned["recommendation_id"] = self.recommendation_id
        self.cleaned["library_id"] = values.get("library_id")
        return self.cleaned

