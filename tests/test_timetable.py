"""The support timetable: a pupil's and a member of staff's week of group provision, on screen
as data and as a PDF through the export path (permission checked, audited)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from tests.groups_support import clashing_week, make_group, pupils
from tests.pdf_text import contains, pages_text

from sendesk import pdf
from sendesk.documents.model import Table
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.records import provision_groups as groups
from sendesk.records import timetable

D = dt.date


def _school_week(session):
    a, b = pupils(session, "Adeyemi", "Brown")
    phonics = make_group(session)                         # Mrs Khan, to 27/11/2026
    maths = make_group(session, name="Number sense", staff_name="Mr Jones", end_date="")
    later = make_group(session, name="Spring reading", start_date="04/01/2027", end_date="")
    for group_id in (phonics, later):
        groups.add_member(session, group_id, a, "04/01/2027" if group_id == later else None)
    groups.add_member(session, phonics, b, "02/11/2026")
    groups.add_member(session, maths, a, "02/11/2026")
    for day in (1, 3):
        groups.add_slot(session, phonics, {"day": day, "start_time": "09:00",
                                           "end_time": "09:30", "place": "Room 4"})
    groups.add_slot(session, maths, {"day": "Tuesday", "start_time": "13:15",
                                     "end_time": "13:45", "place": "Maths room"})
    groups.add_slot(session, later, {"day": 2, "start_time": "09:00", "end_time": "09:20"})
    return a, b


def test_a_pupils_week_lists_their_groups_times_places_and_staff(senco_session):
    a, b = _school_week(senco_session)
    week = timetable.pupil_week(senco_session, a)
    assert (week.monday, week.friday) == (D(2026, 11, 23), D(2026, 11, 27))
    assert [(e.day, e.start_time, e.group_name, e.place, e.with_whom) for e in week.entries] == [
        (1, "09:00", "Year 4 phonics group", "Room 4", "Mrs Khan"),
        (2, "13:15", "Number sense", "Maths room", "Mr Jones"),
        (3, "09:00", "Year 4 phonics group", "Room 4", "Mrs Khan")]
    # After the phonics group ends and the spring group starts, the week changes with them.
    spring = timetable.pupil_week(senco_session, a, D(2027, 1, 6))
    assert [e.group_name for e in spring.entries] == ["Spring reading", "Number sense"]
    assert timetable.week_of(D(2026, 11, 28)) == D(2026, 11, 30)     # a Saturday: next week


def test_a_staff_week_lists_the_pupils_in_each_group(senco_session):
    _school_week(senco_session)
    week = timetable.staff_week(senco_session, " MRS khan")
    assert week.who == "Mrs Khan" and not week.for_pupil
    assert [(e.day, e.people) for e in week.entries] == [
        (1, ("Adeyemi, Amara", "Brown, Amara")), (3, ("Adeyemi, Amara", "Brown, Amara"))]
    with pytest.raises(ValidationError, match="No group is run by 'Miss Nobody'"):
        timetable.staff_week(senco_session, "Miss Nobody")
    assert "Mrs Khan" in groups.staff_names(senco_session)


def test_the_timetable_pdf_goes_through_the_export_path(senco_session, staff_session, tmp_path):
    from sendesk.documents import timetable as documents
    a, _ = _school_week(senco_session)
    document = documents.pupil_timetable(senco_session, a)
    out = tmp_path / "timetable.pdf"
    with pytest.raises(PermissionDenied):
        pdf.save_pdf(staff_session, [document], a, "timetable", out)
    assert not out.exists()
    assert pdf.save_pdf(senco_session, [document], a, "timetable", out) == 1
    [page] = pages_text(out.read_bytes())
    for text in ("Support timetable", "Monday 23/11/2026 to Friday 27/11/2026", "09:00-09:30",
                 "Year 4 phonics group", "Room 4", "With Mrs Khan", "Number sense", "Maths room"):
        assert contains(page, text), text
    staff = documents.staff_timetable(senco_session, "Mrs Khan")
    assert pdf.save_pdf(senco_session, [staff], None, "timetable", tmp_path / "staff.pdf") >= 1
    assert contains(pages_text((tmp_path / "staff.pdf").read_bytes())[0], "Brown, Amara")
    rows = senco_session.db.query("SELECT action, target_id FROM audit_log ORDER BY id")
    assert ("exported a document", str(a)) in [(r["action"], r["target_id"]) for r in rows]
    assert "viewed a support timetable" in [r["action"] for r in rows]


def _day_by_day(session):
    """A group starting on Tuesday 01/12/2026 that meets Mondays and Thursdays, and one that
    ends on Wednesday 02/12 meeting every Monday and Thursday; a pupil leaves on Tuesday."""
    a, b, c = pupils(session, "Adeyemi", "Brown", "Cole")
    late = make_group(session, name="Late starters", start_date="01/12/2026", end_date="")
    early = make_group(session, name="Early finishers", staff_name="Mrs Khan",
                       start_date="02/11/2026", end_date="02/12/2026")
    groups.add_member(session, late, a, "01/12/2026")
    groups.add_members(session, early, [b, c], "02/11/2026")
    groups.member_leaves(session, groups.list_groups(session)[-1].members[1].id, "01/12/2026")
    for group_id in (late, early):
        for day in (1, 4):
            groups.add_slot(session, group_id, {"day": day, "start_time": "10:00" if group_id
                                                == late else "11:00", "end_time": "10:30"
                                                if group_id == late else "11:30"})
    return a, b, c


def test_a_timetable_decides_each_day_who_is_there(senco_session):
    a, b, c = _day_by_day(senco_session)
    monday = D(2026, 11, 30)
    # The late starters begin on Tuesday: their Monday slot is not on the pupil's week.
    assert [(e.day, e.group_name) for e in timetable.pupil_week(senco_session, a, monday)
            .entries] == [(4, "Late starters")]
    # The early finishers end on Wednesday: Monday only, and Cole (left on Tuesday) is there.
    assert [e.day for e in timetable.pupil_week(senco_session, b, monday).entries] == [1]
    assert [e.day for e in timetable.pupil_week(senco_session, c, monday).entries] == [1]
    week = timetable.staff_week(senco_session, "Mrs Khan", monday)
    assert [(e.day, e.group_name, e.people) for e in week.entries] == [
        (1, "Early finishers", ("Brown, Amara", "Cole, Amara")),
        (4, "Late starters", ("Adeyemi, Amara",))]
    assert week.pupils == 3


def test_a_staff_timetables_audit_and_header_say_whose_and_how_many(senco_session, tmp_path):
    import json

    from sendesk.documents import timetable as documents
    _school_week(senco_session)
    staff = documents.staff_timetable(senco_session, "Mrs Khan")
    [row] = senco_session.db.query("SELECT detail FROM audit_log WHERE action = ?"
                                   " ORDER BY id DESC LIMIT 1", ("viewed a support timetable",))
    detail = json.loads(row["detail"])
    assert (detail["staff"], detail["pupils"], detail["groups"]) == ("Mrs Khan", 2, 1)
    out = tmp_path / "staff.pdf"
    pdf.save_pdf(senco_session, [staff], None, "timetable", out)
    first = pages_text(out.read_bytes())[0]
    assert contains(first, "Member of staff: Mrs Khan (2 pupils)")
    assert not contains(first, "All pupils")


def test_a_week_in_the_holidays_has_no_group_times_and_says_why(senco_session):
    """Christmas: the groups run on paper (started, not ended), but the school is closed, so
    no time is printed for those days and the week says the school is closed and why."""
    a, _b = _school_week(senco_session)
    week = timetable.pupil_week(senco_session, a, D(2026, 12, 30))
    assert week.monday == D(2026, 12, 28)
    assert week.entries == ()
    assert [day for day, _why in week.closed] == [1, 2, 3, 4, 5]
    assert "bank holiday" in (week.closed_on(1) or "")          # Christmas Day moved to Monday
    staff = timetable.staff_week(senco_session, "Mr Jones", D(2026, 12, 30))
    assert staff.entries == () and staff.pupils == 0
    [text] = pages_text(pdf.render_pdf([timetable_document(senco_session, a, D(2026, 12, 30))]))
    assert contains(text, "The school is closed all this week.")
    # An open week beside a bank holiday: only that day is shut.
    may = timetable.pupil_week(senco_session, a, D(2027, 5, 3))
    assert [day for day, _why in may.closed] == [1]
    assert {e.day for e in may.entries} == {2}                 # Number sense, Tuesdays
    [text] = pages_text(pdf.render_pdf([timetable_document(senco_session, a, D(2027, 5, 3))]))
    assert contains(text, "Monday 03/05 school closed")
    assert contains(text, "The school is closed on Monday 03/05/2027 (a bank holiday")


def timetable_document(session, pupil_id, day):
    from sendesk.documents import timetable as timetable_documents
    return timetable_documents.pupil_timetable(session, pupil_id, day)


def test_overlapping_times_say_what_they_overlap(senco_session):
    a, b = clashing_week(senco_session)
    for week in (timetable.staff_week(senco_session, "Mrs Khan"),
                 timetable.pupil_week(senco_session, a)):
        assert [(e.day, e.times, e.clashes) for e in week.entries] == [
            (1, "09:00-09:30", ("Overlaps with Talk boost 09:15-09:45 (Library).",)),
            (1, "09:15-09:45", ("Overlaps with Year 4 phonics group 09:00-09:30 (Room 4).",)),
            (1, "09:45-10:00", ()),               # starts as the other ends: no clash
            (2, "09:15-09:45", ())]               # the same time on another day: no clash
    assert timetable.pupil_week(senco_session, b).clashes == ()


def test_the_timetable_pdf_marks_each_clash(senco_session, tmp_path):
    from sendesk.documents import timetable as documents
    clashing_week(senco_session)
    document = documents.staff_timetable(senco_session, "Mrs Khan")
    out = tmp_path / "clash.pdf"
    assert pdf.save_pdf(senco_session, [document], None, "timetable", out) >= 1
    text = " ".join(pages_text(out.read_bytes()))
    for wanted in ("CLASH: 2 of these times overlap another on the same day; Mrs Khan cannot "
                   "be in two groups at once.",
                   "CLASH: Overlaps with Talk boost 09:15-09:45 (Library).",
                   "CLASH: Overlaps with Year 4 phonics group 09:00-09:30 (Room 4)."):
        assert contains(text, wanted), wanted


def _bold_texts(pdf_bytes: bytes) -> list[str]:
    """The texts the first page draws in a bold face, as the PDF names its fonts."""
    drawn: list[str] = []

    def seen(text, _cm, _tm, font, _size) -> None:
        if text.strip() and font is not None and "Bold" in str(font.get("/BaseFont", "")):
            drawn.append(text.strip())
    PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text(visitor_text=seen)
    return drawn


def test_a_clash_comes_first_in_its_grid_cell_and_in_bold(senco_session, tmp_path):
    """The grid cell said CLASH last, after the group, the room and every pupil's name, in
    their type: on a printed week it was easy to miss though the sentence above the grid says
    each is marked."""
    from sendesk.documents import timetable as documents
    clashing_week(senco_session)
    document = documents.staff_timetable(senco_session, "Mrs Khan")
    grid = next(block for block in document.blocks if isinstance(block, Table))
    monday = [row[1] for row in grid.rows if row[1]]
    clashing = [cell for cell in monday if "CLASH" in cell]
    assert len(clashing) == 2
    assert all(cell.startswith("CLASH: Overlaps with ") for cell in clashing), clashing
    out = tmp_path / "clash.pdf"
    pdf.save_pdf(senco_session, [document], None, "timetable", out)
    bold = " ".join(_bold_texts(out.read_bytes()))
    assert contains(bold, "CLASH: Overlaps with Talk boost 09:15-09:45 (Library).")
    assert contains(bold, "CLASH: Overlaps with Year 4 phonics group 09:00-09:30 (Room 4).")
    assert "Adeyemi" not in bold and "Room 4 " not in bold   # the rest of the cell is plain


def test_a_pupils_timetable_lists_their_plans_other_support_beside_the_week(senco_session):
    """Only groups have set times: the plan's other support (one-to-one teaching, say) is
    listed under the week with how often and who, so the timetable is not taken for all the
    pupil receives; a member of staff's says where the rest is."""
    from tests.apdr_support import ITEMS
    from tests.test_provision_map import _pupil_with_plan

    from sendesk.documents import timetable as documents
    pupil, _ = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)
    phonics = make_group(senco_session)
    groups.add_member(senco_session, phonics, pupil, "02/11/2026")
    untimed = make_group(senco_session, name="Lunch club", end_date="")   # no times set
    groups.add_member(senco_session, untimed, pupil, "02/11/2026")
    text = " ".join(documents.pupil_timetable(senco_session, pupil).text().split())
    assert "Other support (no set times)" in text and "Lunch club (group, no times set)" in text
    assert "Precision teaching of sight words" in text and "Word Aware vocabulary group" in text
    assert "Teaching assistant" in text
    staff = " ".join(documents.staff_timetable(senco_session, "Mrs Khan").text().split())
    assert "Only group sessions have set times; each pupil's other support is on their plan." \
        in staff
