"""The shared PDF layout read back as a reader would: words are broken only at spaces (a word
is hyphenated only when it alone is wider than its column), narrow columns are sized so their
headings wrap between words, and a heading is never the last thing on a page."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.pdf_text import pages_text

from sendesk.documents.model import (
    Chart,
    ChartSeries,
    Document,
    Heading,
    KeyValues,
    Paragraph,
    Table,
)
from sendesk.pdf import ensure_gui, render_pdf
from sendesk.pdf.page import Metrics, font

TODAY = dt.date(2026, 3, 27)

# The impact report broken down by area of need: ten columns, the widest words of the report.
HEADER = ("Provision", "Measure", "Area of need", "Pupils", "Measured", "Mean entry",
          "Mean exit", "Mean gain", "Met outcomes %", "Cost per pupil")
ROWS = (
    ("Precision teaching", "Salford reading age (months)", "Communication and interaction",
     "fewer than 5", "5 or more", "94.2", "101.7", "7.5", "not shown", "£7,450.00"),
    ("Physiotherapy programme", "Boxall developmental strands (points)",
     "Social, emotional and mental health", "12", "11", "fewer than 5", "fewer than 5",
     "fewer than 5", "fewer than 5 met", "£1,200.00"),
    ("Handwriting and fine motor group", "Phonics check practice (out of 40) (points)",
     "Sensory and/or physical", "9", "9", "23.4", "31.0", "7.6", "fewer than 5 did not",
     "£51,900.00"),
)


def words_of(*texts: str) -> set[str]:
    return {word for text in texts for word in text.split()}


def tokens(pdf: bytes) -> list[set[str]]:
    return [set(page.split()) for page in pages_text(pdf)]


@pytest.mark.parametrize("widths", [(), (2.0, 1.6, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.0)])
def test_no_word_of_a_wide_table_is_split_across_lines(qapp, widths):
    document = Document("Impact", "", TODAY, (Heading("Measures and outcomes", 2),
                                              Table(HEADER, ROWS, widths=widths)))
    found = set().union(*tokens(render_pdf(document)))
    missing = sorted(words_of(*HEADER, *(cell for row in ROWS for cell in row)) - found)
    assert not missing, f"split across lines: {missing}"


def test_headings_of_narrow_columns_wrap_between_words(qapp):
    """'Cost per pupil' over a column of figures: 'Cost per' and 'pupil', never 'pup-il'."""
    header = ("Provision and what it is for", "Cost per pupil", "Cost per point of gain",
              "Met outcomes %")
    rows = tuple((f"Provision {n} " + "with a long description " * 3, "£12.50", "£3.00",
                  "fewer than 5") for n in range(4))
    document = Document("Costs", "", TODAY, (Table(header, rows, widths=(6.0, 0.4, 0.4, 0.4)),))
    found = set().union(*tokens(render_pdf(document)))
    assert words_of(*header, "£12.50", "£3.00", "fewer than 5") <= found


def test_only_a_word_wider_than_its_column_is_broken_and_then_with_a_hyphen(qapp):
    ensure_gui()
    metrics, used = Metrics(), font("table")
    width = metrics.fm(used).horizontalAdvance("Communication") * 0.6
    lines = [ln.text for ln in metrics.wrap("Communication and interaction", used, width)]
    assert len(lines) >= 3
    assert all(metrics.fm(used).horizontalAdvance(text) <= width for text in lines)
    assert lines[0].endswith("-") and "".join(t.rstrip("-") for t in lines).replace(
        " ", "") == "Communicationandinteraction"
    # A word that fits is never broken, not even at its own hyphen.
    wide = metrics.fm(used).horizontalAdvance("Phonics catch-up") * 0.8
    assert [ln.text for ln in metrics.wrap("Phonics catch-up group", used, wide)] == \
        ["Phonics", "catch-up", "group"]
    # A figure too wide is cut without a hyphen (which would read as a minus).
    narrow = metrics.fm(used).horizontalAdvance("£51,900") * 0.9
    assert not any(ln.text.endswith("-") for ln in metrics.wrap("£51,900.00", used, narrow))


def test_a_figure_is_not_left_alone_on_the_last_line_of_a_cell(qapp):
    ensure_gui()
    metrics, used = Metrics(), font("table")
    width = metrics.fm(used).horizontalAdvance("fewer than") * 1.05
    assert [ln.text for ln in metrics.wrap("fewer than 5", used, width)] == ["fewer", "than 5"]


def _chart() -> Chart:
    labels = tuple(f"Provision {n}" for n in range(8))
    return Chart("Cost per pupil", labels, (ChartSeries("Cost", tuple(float(n) for n in range(8)),
                                                        tuple(f"£{n}" for n in range(8))),))


# What follows the heading, and what of it must be on the heading's page.
FOLLOWERS = {
    "a table with a three-line header": (lambda: (Table(
        ("Provision", "Pupils measured at entry and exit", "Cost"),
        tuple((f"Item {n}", "fewer than 5", "£10.00") for n in range(6)), widths=(3, 1, 1)),),
        ("Item 0", "Item 1")),
    "a chart": (lambda: (_chart(),), ("Provision 7",)),
    # The governors' spend: its heading took only the first figure to the foot of page 4.
    "a short block of figures, kept whole": (lambda: (KeyValues(tuple(
        (f"Figure {n}", f"£{n},000.00") for n in range(6))),),
        tuple(f"Figure {n}" for n in range(6))),
    "a short lead-in and its table": (lambda: (Paragraph("What the table counts.", "small"),
                                               Table(("Item", "Count"), (("One", "7"),) * 5)),
                                      ("What the table counts.", "Item Count One 7 One 7")),
}


@pytest.mark.parametrize("follower", sorted(FOLLOWERS))
def test_a_heading_is_never_the_last_thing_on_a_page(qapp, follower):
    """The heading is moved down the page a line at a time, so at some point it meets the foot
    of the page; whatever follows it, its start (a table's first rows, a whole chart, a short
    lead-in and its table) is on the heading's page."""
    make, kept = FOLLOWERS[follower]
    for lines in range(30, 62):
        filler = Paragraph("\n".join(f"Line {n}" for n in range(lines)))
        document = Document("Keep with next", "", TODAY,
                            (filler, Heading("Kept with what follows", 2), *make()))
        pages = pages_text(render_pdf(document))
        holding = [page for page in pages if "Kept with what follows" in page]
        assert len(holding) == 1
        missing = [text for text in kept if text not in holding[0]]
        assert not missing, f"after {lines} lines the heading's page lacks {missing}"


def _section(*after) -> tuple:
    """A governors' report section: its heading and intro, a sub-heading, then what it holds."""
    return (Heading("Section of the report", 1),
            Paragraph("Provision from the school's library and its groups, in the year. Gains "
                      "are in each measure's own units.", "small"),
            Heading("Measures and outcomes", 2), *after)


def test_a_section_heading_keeps_with_its_sub_heading_and_table(qapp):
    """The chain: heading, lead-in, sub-heading and the table's first rows move together (the
    2026/27 governors' report had "Impact of provision" and its intro at the foot of page 4,
    "Measures and outcomes" and its table on page 5)."""
    table = Table(("Provision", "Pupils"), tuple((f"Item {n}", "7") for n in range(6)))
    for lines in range(30, 62):
        filler = Paragraph("\n".join(f"Line {n}" for n in range(lines)))
        pages = pages_text(render_pdf(Document("Keep with next", "", TODAY,
                                               (filler, *_section(table)))))
        holding = [page for page in pages if "Section of the report" in page]
        assert len(holding) == 1
        missing = [text for text in ("Measures and outcomes", "Item 0", "Item 1")
                   if text not in holding[0]]
        assert not missing, f"after {lines} lines the section heading's page lacks {missing}"


def test_the_chain_never_leaves_more_than_half_a_page_empty(qapp):
    """A chart taller than half a page after the sub-heading moves on by itself; the section
    heading and its intro stay where they are rather than leave most of a page blank."""
    labels = tuple(f"Provision {n}" for n in range(26))
    tall = Chart("Cost per pupil", labels, (ChartSeries("Cost", tuple(1.0 for _ in labels),
                                                        tuple("£1" for _ in labels)),))
    filler = Paragraph("\n".join(f"Line {n}" for n in range(12)))
    pages = pages_text(render_pdf(Document("Keep with next", "", TODAY,
                                           (filler, *_section(tall)))))
    assert "Line 11" in pages[0] and "Section of the report" in pages[0]
    assert "Measures and outcomes" in pages[1] and "Provision 25" in pages[1]


LONG_LABELS = ("Phonics catch-up group: Phonics check practice (out of 40)",
               "Phonics catch-up group: Phonics screening check score",
               "SEMH: Social, emotional and mental health: Boxall developmental strands")


def test_chart_labels_wrap_between_words_so_bars_can_be_told_apart(qapp):
    """Two measures of one group differ only at the end of their labels: cut with "..." they
    read the same; wrapped between words, every word is printed."""
    chart = Chart("Mean gain", LONG_LABELS, (ChartSeries("Gain", (4.0, 2.5, 1.0),
                                                         ("4.0", "2.5", "1.0")),))
    text = pages_text(render_pdf(Document("Charts", "", TODAY, (chart,))))[0]
    assert "\u2026" not in text and "..." not in text
    assert words_of(*LONG_LABELS) <= set(text.split())


def test_only_a_label_longer_than_three_lines_is_cut(qapp):
    ensure_gui()
    from PySide6.QtGui import QFontMetricsF

    from sendesk.pdf.charts import wrap_label
    fm = QFontMetricsF(font("small"))
    width = fm.horizontalAdvance("Phonics catch-up group:") * 1.1
    lines = wrap_label(LONG_LABELS[1], fm, width)
    assert lines[0] == "Phonics catch-up group:" and len(lines) in (2, 3)
    assert " ".join(lines) == LONG_LABELS[1]
    cut = wrap_label(" ".join(["Precision teaching"] * 8), fm, width)
    assert len(cut) == 3 and cut[-1].endswith("\u2026")
    assert all(fm.horizontalAdvance(line) <= width for line in cut)
