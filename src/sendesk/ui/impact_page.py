"""Which interventions worked, for whom, at what cost: the impact of provision page.

Choose the period in the school's own terms (this half-term, last term, this school year, the
last three school years: models.periods, read from its term dates, each shown with the dates it
covers) or "Dates..." to type From and To, and a breakdown (area of need, year group, sex, SEN
status), press Show; the table has one row per provision and measure (and per
breakdown group), the charts below it are drawn by the same painter as the printed report, and
Print, Save as PDF and Export CSV send out exactly the table on screen: a control changed after
Show marks it out of date (the heading says to press Show) rather than changing what the
buttons send. The period is widened to whole half-terms (models.impact.whole_half_terms) and
the heading says the period used. Counts under 5, and anything worked out from them, read
"fewer than 5".
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .. import pdf
from ..documents import impact_report, report_charts
from ..errors import SendeskError
from ..models import dates, periods
from ..models.periods import Period, Span
from ..models.roles import Permission
from ..models.small_numbers import FEWER, FIVE_OR_MORE, NOT_SHOWN
from ..operations import Kind
from ..records import impact, school_calendar
from ..records.impact import Breakdown, ImpactTable
from ..session import Session
from ..settings import export_dir
from .accessible import label_for
from .chart_view import ChartView
from .date_field import DateField
from .documents_tab import a4_printer
from .lazy_table import Column
from .list_model import RowListModel
from .load_on_show import LoadOnShow
from .prompts import ending_in, prompts
from .runner import OpRunner, alive

# Short titles so every column is in view on a 1366-pixel laptop; each says in full on hover.
COLUMNS = [Column("provision", "Provision"), Column("measure_label", "Measure"),
           Column("category", "Breakdown"), Column("pupils", "Pupils"),
           Column("pupils_measured", "Measured"), Column("mean_entry", "Entry"),
           Column("mean_exit", "Exit"), Column("mean_gain", "Gain"),
           Column("unit", "Units"), Column("met_outcomes_pct", "Met %"),
           Column("cost_total", "Cost £"), Column("cost_per_pupil", "Per pupil £"),
           Column("cost_per_gain", "Per gain £")]
TIPS = {"pupils_measured": "Pupils with both an entry and an exit measure",
        "mean_entry": "Mean entry: the average first measure of the pupils measured",
        "mean_exit": "Mean exit: the average last measure of the pupils measured",
        "mean_gain": "Mean gain: the improvement, in the measure's own units; for a measure "
                     "marked lower is better, how far it fell",
        "unit": "The units of the gain: points, or months for reading and spelling ages",
        "met_outcomes_pct": "Met outcomes %: the share of the pupils reviewed in the period "
                            "who met every outcome",
        "cost_total": "Cost £: what the provision cost in the period",
        "cost_per_pupil": "Cost a pupil £",
        "cost_per_gain": "Cost a point (or month) gained £: the cost a pupil divided by the "
                         "mean gain"}
# Provision and Measure share the width the others leave, each in proportion to its longest
# name, and wrap; every other column is as narrow as its words allow on two lines ("fewer
# than 5" as "fewer / than 5"), so on a 1366-pixel laptop the names are not squeezed to a word
# a line beside figures set out wide.
TEXT_COLUMNS = (0, 1)
# A hidden count's words ("fewer than 5", "5 or more", "not shown") are kept on one line (no-
# break spaces), the column as wide as that needs. Always in Met %, whose phrases set as the
# figures are read "fewer than" with "5 met" cut below it; in the other columns of figures
# where the window has the room once Provision and Measure have theirs (cheapest first), as
# "fewer / than 5" and "not / shown" made half the table's rows two lines tall.
WHOLE_PHRASES = frozenset({"met_outcomes_pct"})
WHOLE_IF_ROOM = frozenset({"pupils", "pupils_measured", "mean_entry", "mean_exit", "mean_gain",
                           "cost_total", "cost_per_pupil", "cost_per_gain"})
NO_BREAK = "\u00a0"
_KEPT_WHOLE = tuple((phrase, phrase.replace(" ", NO_BREAK))
                    for phrase in (FEWER, FIVE_OR_MORE, NOT_SHOWN))
LINES = 2
CELL_PADDING = 11   # px: a cell's margins (3 a side in the styles Qt ships), its grid line, 4 spare
CHARTS = 4   # the entry/exit charts (points, months), cost per pupil, and room for one more


def shown_text(key: str, value: Any, whole: frozenset[str] = WHOLE_PHRASES) -> str:
    """A cell's words as the table sets them: in the columns `whole` names, a hidden count's
    words never broken."""
    text = "" if value is None else str(value)
    if key in whole:
        for phrase, kept in _KEPT_WHOLE:
            text = text.replace(phrase, kept)
    return text


def lines_width(metrics: QFontMetrics, text: str, lines: int = LINES) -> int:
    """The narrowest width that sets the text on at most `lines` lines, broken between words
    at spaces (a single word, or words joined by no-break spaces, is as wide as itself)."""
    words = [word for word in text.split(" ") if word]
    if len(words) <= 1 or lines <= 1:
        return metrics.horizontalAdvance(text)
    return min(max(metrics.horizontalAdvance(" ".join(words[:cut])),
                   lines_width(metrics, " ".join(words[cut:]), lines - 1))
               for cut in range(1, len(words)))


class ImpactModel(RowListModel):
    """The impact rows, each column's title said in full on hover; `whole` names the columns
    whose hidden counts' words are kept on one line (the page decides, by the room)."""

    whole: frozenset[str] = WHOLE_PHRASES

    def keep_whole(self, columns: frozenset[str]) -> None:
        if columns != self.whole:
            self.whole = columns
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(self.rowCount() - 1, len(COLUMNS) - 1))

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and 0 <= section < len(COLUMNS):
            return TIPS.get(COLUMNS[section].key, COLUMNS[section].title)
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = super().data(index, role)
        if role == Qt.ItemDataRole.DisplayRole and index.isValid() and value is not None \
                and COLUMNS[index.column()].key in self.whole:
            return shown_text(COLUMNS[index.column()].key, value, self.whole)
        return value


class ImpactPage(LoadOnShow, QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 load: bool = True, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setObjectName("impact")
        self.found: ImpactTable | None = None
        self._stale = False   # a control changed since the table was last shown
        self._heading_text: str | None = None
        self.spans: dict[Period, Span | None] = {}
        self.period = QComboBox(objectName="impact_period")
        for choice in Period:
            self.period.addItem(choice.label, choice.value)
        self.period.setCurrentIndex(list(Period).index(Period.THIS_YEAR))
        # Wraps rather than widening the window (a laptop at 150% scaling has 1,067 px).
        self.period_dates = QLabel(objectName="impact_period_dates", wordWrap=True)
        start, end = impact.default_period(session.clock.today())
        self.start = DateField("From", optional=False, objectName="impact_from")
        self.start.setDate(start)
        self.end = DateField("To", optional=False, objectName="impact_to")
        self.end.setDate(end)
        self.breakdown = QComboBox(objectName="impact_breakdown")
        for choice in Breakdown:
            self.breakdown.addItem(choice.label, choice.value)
        self.show_button = QPushButton("&Show", objectName="impact_show")
        self.show_button.clicked.connect(self.refresh)
        for field in (self.start, self.end):   # Enter in a date shows the table, as Show does
            field.returnPressed.connect(self.refresh)
        allowed = session.can(Permission.EXPORT_DOCUMENTS)
        self.print_button = QPushButton("&Print...", objectName="impact_print")
        self.pdf_button = QPushButton("Save as P&DF...", objectName="impact_pdf")
        self.csv_button = QPushButton("Export &CSV...", objectName="impact_csv")
        for button, slot in ((self.print_button, self.print_report),
                             (self.pdf_button, self.save_pdf), (self.csv_button, self.export)):
            button.clicked.connect(slot)
            button.setEnabled(allowed)
            if not allowed:
                button.setToolTip("Your role does not allow documents to leave sendesk.")
        self.heading = QLabel(objectName="impact_heading", wordWrap=True)
        self.model = ImpactModel(COLUMNS, self)
        self._widths = [CELL_PADDING] * len(COLUMNS)     # measured at each Show
        self._whole_extra: dict[int, int] = {}   # what keeping a column's phrases whole adds
        self._names_in_two = [CELL_PADDING] * len(TEXT_COLUMNS)   # each name on two lines
        self._first_word = CELL_PADDING
        self.view = QTableView(objectName="impact_table")
        self.view.setAccessibleName("Impact of provision")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(TEXT_COLUMNS[-1], QHeaderView.ResizeMode.Stretch)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.charts = [ChartView(f"impact_chart_{n}") for n in range(CHARTS)]
        holder = QWidget()
        chart_layout = QVBoxLayout(holder)
        for chart in self.charts:
            chart.hide()
            chart_layout.addWidget(chart)
        chart_layout.addStretch(1)
        scroll = QScrollArea(objectName="impact_charts")
        scroll.setAccessibleName("Impact charts")
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        # Two rows, so typing dates never widens the window: the period (its dates beside it)
        # and the breakdown, and under them From and To, shown only for "Dates...". Letters
        # the menu bar does not use (File, View, Reports, Tools, Help).
        bar = QHBoxLayout()
        self.typed_dates = QWidget(objectName="impact_typed_dates")
        typed = QHBoxLayout(self.typed_dates)
        typed.setContentsMargins(0, 0, 0, 0)
        for row, label, widget in ((bar, "P&eriod:", self.period), (typed, "Fro&m:", self.start),
                                   (typed, "T&o:", self.end), (bar, "&Breakdown:", self.breakdown)):
            caption = QLabel(label)
            label_for(caption, widget)
            row.addWidget(caption)
            row.addWidget(widget)
            if widget is self.period:
                bar.addWidget(self.period_dates, 1)
                bar.addSpacing(12)
        typed.addStretch(1)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        # The actions sit by the title so the page fits a laptop screen at 150% scaling.
        title = QHBoxLayout()
        title.addWidget(QLabel("<b>Impact of provision</b>"))
        title.addStretch(1)
        for button in (self.print_button, self.pdf_button, self.csv_button):
            title.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(title)
        layout.addLayout(bar)
        layout.addWidget(self.typed_dates)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 3)
        layout.addWidget(scroll, 2)
        # Tab in reading order: the widgets were made before the layout gave them the page as
        # parent, and the title row, added first, put the three buttons ahead of Period in the
        # page's chain, so Tab reached them only after leaving the page.
        for before, after in pairwise((self.period, self.start, self.end, self.breakdown,
                                       self.show_button, self.print_button, self.pdf_button,
                                       self.csv_button, self.view, scroll)):
            QWidget.setTabOrder(before, after)
        for signal in (self.start.textChanged, self.end.textChanged,
                       self.breakdown.currentIndexChanged):
            signal.connect(self._out_of_date)
        self.period.currentIndexChanged.connect(self._period_chosen)
        self._period_chosen()
        self.follow(self.runner, (Kind.PATHWAY, Kind.GROUP, Kind.PUPIL, Kind.SEN, Kind.CALENDAR,
                                  Kind.MEASURE, Kind.LIBRARY))
        self.load_now_or_when_shown(load)

    def chosen(self) -> tuple:
        return self.start.text(), self.end.text(), self.breakdown.currentData()

    def chosen_period(self) -> Period:
        return Period(self.period.currentData())

    def _load_periods(self) -> None:
        """Each period's dates by the school's calendar as it is now (term dates may have been
        changed, or a new half-term begun, since the page was last shown)."""
        calendar = self.runner.call(school_calendar.load, sender=self.period)
        today = self.session.clock.today()
        self.spans = periods.spans(calendar, today)
        for index, choice in enumerate(Period):
            span = self.spans.get(choice)
            self.period.setItemData(index, span.text_as_of(today) if span else
                                    "Type the first and last day.",
                                    Qt.ItemDataRole.ToolTipRole)
        self._period_chosen()

    def _period_chosen(self) -> None:
        """A named period fills From and To with its dates (hidden: the period says them);
        "Dates..." shows the two fields to type in."""
        choice = self.chosen_period()
        typed = choice is Period.DATES
        self.typed_dates.setVisible(typed)
        span = self.spans.get(choice)
        shown = span.text_as_of(self.session.clock.today()) if span else ""
        self.period_dates.setVisible(not typed)
        self.period_dates.setText(shown)
        self.period.setAccessibleDescription(shown or
                                             "Type the first and last day in From and To.")
        if span is not None:
            self.start.setDate(span.start)
            self.end.setDate(span.end)

    def _out_of_date(self) -> None:
        """A control changed after Show: the table stays as it was until Show (or Print, Save
        as PDF or Export CSV, which show the table for the new choices first), and the
        heading says so."""
        self._stale = True
        if self.found is None or self._heading_text is None:
            return
        self.heading.setStyleSheet("")   # the table's own heading again, not a refusal's red
        self.heading.setText(self._heading_text + " The choices above have changed: press "
                             "Show to see the table for them.")

    def _current(self) -> ImpactTable | None:
        """The table for the choices on screen, shown first if they changed since Show, so
        what leaves is both what the controls say and what the page shows; None when they
        are refused (the heading says why)."""
        if self.found is None or self._stale:
            self.refresh()
        return None if self._stale else self.found

    def _refused(self, sentence: str) -> None:
        """The heading says why there is no new table (the old one stays as it was)."""
        self.heading.setText(sentence)
        self.heading.setStyleSheet("color: #b3261e")

    def _require_typed_dates(self) -> bool:
        """Under "Dates..." both days are the person's own: a cleared From or To is refused,
        where the core would quietly take this school year's first or last day for it."""
        if self.chosen_period() is not Period.DATES:
            return True
        for field, sentence in ((self.start, "Type the first day of the period in From."),
                                (self.end, "Type the last day of the period in To.")):
            if not field.text().strip():
                self._refused(sentence)
                field.setFocus()
                return False
        return True

    def refresh(self) -> None:
        if not self._require_typed_dates():
            return
        try:
            self._load_periods()
            span = self.spans.get(self.chosen_period())
            found = self.runner.call(impact.impact_table, *self.chosen(), sender=self.show_button)
        except SendeskError as exc:
            if alive(self):
                self._refused(str(exc))
            return
        if not alive(self):
            return
        self.loaded = True
        self.found = found
        self._stale = False
        self.heading.setStyleSheet("")
        period = f"{dates.format_uk(found.start)} to {dates.format_uk(found.end)}"
        named = f"{span.name}: " if span else ""
        count = len({r.provision for r in found.lines})
        self._heading_text = named + (
            f"{count} provision{'' if count == 1 else 's'} from {period} (whole "
            "half-terms, to today at the latest). Gains are the improvement in each measure's own "
            "units (for one marked lower is better, how far it fell); counts under 5 read "
            "\"fewer than 5\"."
            if found.lines else f"No provision from the library or in groups ran from {period}.")
        self.heading.setText(self._heading_text)
        rows = list(impact.shown_rows(found))
        self.model.set_rows(rows)
        self.view.setColumnHidden(2, not found.breakdown.value)
        self._measure_columns(rows)
        self._fit_columns()
        charts = [*report_charts.impact_charts(rows), report_charts.cost_chart(rows)] \
            if found.lines else []
        for view, chart in zip(self.charts, charts + [None] * CHARTS, strict=False):
            view.set_chart(chart)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_columns()

    def _measure_columns(self, rows: list[dict[str, str]]) -> None:
        """The widths the rows shown need (measured once a Show, each distinct text once: a
        three-year table has hundreds of rows but few different cells): each column but
        Provision and Measure as wide as its title, or its widest cell set on two lines,
        whichever is wider; for those two, their longest names on one line, and Provision's
        longest word."""
        cells, titles = self.view.fontMetrics(), self.view.horizontalHeader().fontMetrics()
        known: dict[tuple[str, int], int] = {}

        def width(text: str, lines: int) -> int:
            if (text, lines) not in known:
                known[(text, lines)] = lines_width(cells, text, lines)
            return known[(text, lines)]

        def widest(column: Column, lines: int, whole: frozenset[str] = WHOLE_PHRASES) -> int:
            return CELL_PADDING + max([titles.horizontalAdvance(column.title) + 6, *(
                width(shown_text(column.key, row.get(column.key) or "", whole), lines)
                for row in rows)])

        self._widths = [widest(c, 1 if n in TEXT_COLUMNS else LINES)
                        for n, c in enumerate(COLUMNS)]
        self._whole_extra = {n: widest(c, LINES, WHOLE_IF_ROOM) - self._widths[n]
                             for n, c in enumerate(COLUMNS) if c.key in WHOLE_IF_ROOM}
        self._names_in_two = [widest(COLUMNS[n], LINES) for n in TEXT_COLUMNS]
        words = {w for row in rows for w in str(row.get(COLUMNS[TEXT_COLUMNS[0]].key) or "").split()}
        self._first_word = CELL_PADDING + max([cells.horizontalAdvance(w) for w in words] or [0])

    def _fit_columns(self) -> None:
        """The figures at their measured widths; Provision and Measure share the rest in
        proportion to their longest names (Measure stretching to the edge), and wrap."""
        header = self.view.horizontalHeader()
        widths = self._keep_whole_where_room()
        used = 0
        for number, wanted in enumerate(widths):
            if number in TEXT_COLUMNS:
                continue
            if header.sectionSize(number) != wanted:
                header.resizeSection(number, wanted)
            used += 0 if self.view.isColumnHidden(number) else wanted
        wanted = self._provision_width(self.view.viewport().width() - used)
        if header.sectionSize(TEXT_COLUMNS[0]) != wanted:
            header.resizeSection(TEXT_COLUMNS[0], wanted)

    def _provision_width(self, room: int) -> int:
        """Provision's share of the room the figures leave (Measure has the rest)."""
        ideal = [self._widths[number] for number in TEXT_COLUMNS]
        first = round(room * ideal[0] / sum(ideal)) if room > 0 else ideal[0]
        return max(min(first, ideal[0]), self._first_word)

    def _keep_whole_where_room(self) -> list[int]:
        """The figures' widths, each column's hidden counts kept whole (cheapest first) while
        Provision and Measure still have the room for every name on two lines."""
        widths = list(self._widths)
        figures = sum(w for n, w in enumerate(widths)
                      if n not in TEXT_COLUMNS and not self.view.isColumnHidden(n))
        room = self.view.viewport().width() - figures

        def names_fit(left: int) -> bool:
            first = self._provision_width(left)
            return first >= self._names_in_two[0] and left - first >= self._names_in_two[1]

        whole = set(WHOLE_PHRASES)
        for number, extra in sorted(self._whole_extra.items(), key=lambda item: item[1]):
            if extra > 0 and not names_fit(room - extra):
                break
            room -= extra
            widths[number] += extra
            whole.add(COLUMNS[number].key)
        self.model.keep_whole(frozenset(whole))
        return widths

    def _document(self):
        found = self._current()
        return [impact_report.build(found, self.session.school.name,
                                     self.session.clock.today())] if found else []

    def save_pdf(self) -> None:
        title = "Save the impact of provision as PDF"
        documents = self._document()
        if not documents:
            return
        path = prompts.save_file(self, title, str(export_dir() / "impact-of-provision.pdf"),
                                 "PDF files (*.pdf)")
        if path is None:
            return
        path = ending_in(path, ".pdf")
        try:
            pages = self.runner.call(pdf.save_pdf, documents, None, impact_report.KIND, path,
                                     sender=self.pdf_button)
        except SendeskError as exc:
            prompts.error(self, title, str(exc))
            return
        prompts.info(self, title, f"Saved {pages} page{'s' if pages != 1 else ''} to {path.name}.")

    def print_report(self) -> bool:
        documents = self._document()
        if not documents:
            return False
        printer = a4_printer(QPrinter.PrinterMode.HighResolution)
        if not prompts.print_setup(self, printer):
            return False
        try:
            self.runner.call(pdf.print_documents, documents, printer, None, impact_report.KIND,
                             sender=self.print_button)
        except SendeskError as exc:
            prompts.error(self, "Print", str(exc))
            return False
        return True

    def export(self) -> None:
        title = "Export the impact of provision"
        shown = self._current()
        if shown is None:
            return
        path = prompts.save_file(self, title, str(export_dir() / "impact-of-provision.csv"),
                                 "CSV files (*.csv)")
        if path is None:
            return
        path = ending_in(path, ".csv")
        try:
            # The period and breakdown of the table on screen (already whole half-terms).
            found = self.runner.call(impact.export_csv, path, shown.start, shown.end,
                                     shown.breakdown, sender=self.csv_button)
        except SendeskError as exc:
            prompts.error(self, title, str(exc))
            return
        written = sum(1 for _ in impact.shown_rows(found))
        prompts.info(self, title, f"Saved {written} row{'s' if written != 1 else ''} to "
                     f"{path.name}.")
