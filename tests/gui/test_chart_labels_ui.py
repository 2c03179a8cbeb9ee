"""On screen, as on paper, a long chart label wraps between words instead of being cut with
"...": two measures of one group ("Phonics catch-up group: Phonics check practice" and "...:
Phonics screening check score") can be told apart, and the chart grows to hold the lines. The
chart widget is painted into a PDF so its words can be read back as drawn."""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QPoint
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter
from tests.pdf_text import pages_text

from sendesk.documents.model import Chart, ChartSeries
from sendesk.ui.chart_view import ChartView

LABELS = ("Phonics catch-up group: Phonics check practice (out of 40)",
          "Phonics catch-up group: Phonics screening check score")


def _chart(labels: tuple[str, ...]) -> Chart:
    return Chart("Mean gain", labels, (ChartSeries("Gain", (4.0, 2.5), ("4.0", "2.5")),))


def _drawn_text(view: ChartView, tmp_path) -> str:
    out = tmp_path / "chart.pdf"
    writer = QPdfWriter(str(out))
    writer.setResolution(96)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Landscape, QMarginsF()))
    painter = QPainter(writer)
    view.render(painter, QPoint(0, 0))
    painter.end()
    return pages_text(out.read_bytes())[0]


def test_a_long_label_wraps_on_screen_and_the_row_grows(qtbot, tmp_path):
    short = ChartView("short")
    long = ChartView("long")
    for view, labels in ((short, ("Phonics", "Maths")), (long, LABELS)):
        qtbot.addWidget(view)
        view.resize(520, 100)
        view.set_chart(_chart(labels))
        view.show()
    qtbot.waitExposed(long)
    long.grab().save("/tmp/fix19b-chart-labels.png")
    text = _drawn_text(long, tmp_path)
    assert "\u2026" not in text
    for word in " ".join(LABELS).split():
        assert word in text.split(), f"{word!r} is not drawn: {text}"
    assert long.height() > short.height()
    # Narrower still, the label takes more lines and the chart grows again.
    before = long.height()
    long.resize(360, long.height())
    qtbot.waitUntil(lambda: long.height() > before)
