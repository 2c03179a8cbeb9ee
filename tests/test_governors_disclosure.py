"""The governors' report attacked as a reader would attack it: from the cells it prints and the
sums a reader can see between its rows, every value each hidden cell could hold is tried, and
each must be consistent with at least three (models.small_numbers.PROTECTION) assignments of
every printed figure. The relations are stated here from what the rows say, not taken from the
code that declares them, so a relation the code forgets is one the attack still uses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Mapping, Sequence

import pytest
from tests.apdr_support import sen_support_pupil
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.pdf_text import pages_text

from sendesk.cli.main import main
from sendesk.models.small_numbers import FEWER, FIVE_OR_MORE, NOT_SHOWN, PROTECTION
from sendesk.records import ehc, governors_report

D = dt.date
REQUESTS = "EHC needs assessment requests"
SENT, DECIDED, WITHIN, LATE, OVERDUE, NOT_DUE, WITHDRAWN_FIRST = (
    "Requests sent to the LA", "LA decided whether to assess", "LA decided within 6 weeks",
    "LA decided late", "Decision overdue", "Decision not yet due", "Withdrawn before a decision")
AGREED, REFUSED = "LA agreed to assess", "LA decided not to assess"
FINAL_ON_TIME, FINAL_LATE, FINAL_OVERDUE, FINAL_NOT_DUE, NO_PLAN, WITHDRAWN_AFTER = (
    "Final plan issued within 20 weeks", "Final plan issued late", "Final plan overdue",
    "Final plan not yet due", "No plan issued after assessment",
    "Withdrawn after the LA agreed to assess")

# (whole, parts, exact): the parts add up to the whole (exact) or to no more than it. The
# inequalities hold whatever else the table prints (a decision is on time or late, and only
# after the request was sent; a final plan or its absence only after the LA agreed); the
# equalities are what a table with every outcome in it adds up to.
REQUEST_RELATIONS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    (SENT, (WITHIN, LATE, OVERDUE), False),
    (SENT, (AGREED, REFUSED), False),
    (AGREED, (FINAL_ON_TIME, FINAL_LATE, FINAL_OVERDUE, NO_PLAN), False),
    (DECIDED, (WITHIN, LATE), True),
    (DECIDED, (AGREED, REFUSED), True),
    (SENT, (DECIDED, OVERDUE, NOT_DUE, WITHDRAWN_FIRST), True),
    (AGREED, (FINAL_ON_TIME, FINAL_LATE, FINAL_OVERDUE, FINAL_NOT_DUE, NO_PLAN,
              WITHDRAWN_AFTER), True),
)
# Decided on time or late is decided (a decision is the LA's either way): true on any layout.
AGREED_OR_NOT = ((WITHIN, LATE), (AGREED, REFUSED))


def _domain(cell: str, cap: int, floor: int) -> range:
    """What a reader knows a cell holds from what it says."""
    if cell == FEWER:
        return range(floor, 5)
    if cell == FIVE_OR_MORE:
        return range(5, max(cap, 5) + 1)
    if cell == NOT_SHOWN:
        return range(floor, cap + 1)
    value = int(cell.replace(",", ""))
    return range(value, value + 1)


Constraint = tuple[dict[str, int], bool]        # sum(coefficient * cell) == 0 (True) or <= 0


Bounds = dict[str, tuple[int, int]]


def _narrow(bounds: Bounds, constraints: Sequence[Constraint]) -> Bounds | None:
    """The bounds no assignment keeping the constraints can leave (each cell at most what the
    others' least leaves it), to a fixed point; None when no assignment is left at all. Only
    prunes the search: what is possible is settled by finding an assignment."""
    found = dict(bounds)
    changed = True
    while changed:
        changed = False
        for coefficients, exact in constraints:
            least = {k: min(c * found[k][0], c * found[k][1]) for k, c in coefficients.items()}
            most = {k: max(c * found[k][0], c * found[k][1]) for k, c in coefficients.items()}
            low, high = sum(least.values()), sum(most.values())
            if low > 0 or (exact and high < 0):
                return None
            for k, c in coefficients.items():
                # c * x <= -(the others' least); and, exactly, c * x >= -(the others' most)
                top = -(low - least[k])
                bottom = -(high - most[k]) if exact else None
                lo, hi = found[k]
                if c > 0:
                    hi = min(hi, top // c)
                    if bottom is not None:
                        lo = max(lo, -(-bottom // c))
                else:
                    lo = max(lo, -(top // -c))
                    if bottom is not None:
                        hi = min(hi, bottom // c)
                if lo > hi:
                    return None
                if (lo, hi) != found[k]:
                    found[k] = (lo, hi)
                    changed = True
    return found


def _assignment_exists(bounds: Bounds, constraints: Sequence[Constraint]) -> bool:
    narrowed = _narrow(bounds, constraints)
    if narrowed is None:
        return False
    open_cells = [k for k, (lo, hi) in narrowed.items() if lo < hi]
    if not open_cells:
        return True
    k = min(open_cells, key=lambda c: narrowed[c][1] - narrowed[c][0])
    lo, hi = narrowed[k]
    return any(_assignment_exists({**narrowed, k: (v, v)}, constraints)
               for v in range(lo, hi + 1))


def possible_values(cells: Mapping[str, str], constraints: Sequence[Constraint], cap: int,
                    floors: Mapping[str, int] | None = None) -> dict[str, set[int]]:
    """Every value each hidden cell can hold in some assignment of all the hidden cells that
    keeps every constraint: each value of each cell is tried, and a search over the others
    looks for one such assignment (every value of every cell, pruned only of what no
    assignment can hold). cap: the most any cell can hold (the block's largest whole)."""
    floors = floors or {}
    domains = {k: _domain(c, cap, floors.get(k, 0)) for k, c in cells.items()}
    bounds = {k: (d[0], d[-1]) for k, d in domains.items()}
    return {k: {v for v in range(lo, hi + 1)
                if _assignment_exists({**bounds, k: (v, v)}, constraints)}
            for k, (lo, hi) in bounds.items() if lo < hi}


def relation_constraints(relations: Sequence[tuple[str, Sequence[str], bool]],
                         printed: Mapping[str, str]) -> list[Constraint]:
    """The relations among the rows printed: parts less the whole, == 0 or <= 0."""
    out: list[Constraint] = []
    for whole, parts, exact in relations:
        if whole in printed and all(p in printed for p in parts):
            terms = dict.fromkeys(parts, 1)
            terms[whole] = terms.get(whole, 0) - 1
            out.append((terms, exact))
    return out


def request_constraints(printed: Mapping[str, str]) -> list[Constraint]:
    found = relation_constraints(REQUEST_RELATIONS, printed)
    on_time_or_late, agreed_or_not = AGREED_OR_NOT
    if all(k in printed for k in (*on_time_or_late, *agreed_or_not)):
        found.append(({**dict.fromkeys(on_time_or_late, 1), **dict.fromkeys(agreed_or_not, -1)},
                      True))
    return found


def assert_protected(cells: Mapping[str, str], constraints: Sequence[Constraint], cap: int,
                     floors: Mapping[str, int] | None = None) -> None:
    values = possible_values(cells, constraints, cap, floors)
    pinned = {k: sorted(v) for k, v in values.items() if len(v) < PROTECTION}
    assert not pinned, f"hidden cells a reader can narrow to fewer than {PROTECTION} values: " \
        f"{pinned} (printed: {dict(cells)})"


def _csv_blocks(found) -> dict[tuple[str, str], dict[str, str]]:
    blocks: dict[tuple[str, str], dict[str, str]] = {}
    for section, measure, when, value in governors_report.csv_rows(found):
        blocks.setdefault((section, when), {})[measure] = value
    return blocks


def assert_requests_protected(found) -> dict[str, str]:
    printed = _csv_blocks(found)[(REQUESTS, found.year.label)]
    true = dict(found.requests)
    constraints = request_constraints(printed)
    # The reader's relations are true of the real counts, or the attack proves nothing.
    for coefficients, exact in constraints:
        total = sum(c * true[k] for k, c in coefficients.items())
        assert total == 0 if exact else total <= 0, coefficients
    cap = true[SENT] if printed[SENT] != FEWER else 4
    assert_protected(printed, constraints, cap)
    return printed


def assert_register_protected(found) -> None:
    """Each census day: the four breakdowns each add up to the register, which is no more than
    the roll. A reader is taken to know that every row with anyone in it has at least one
    (more than a reader knows of the rows listed whether or not anyone is in them, so a
    stronger attack than any real one)."""
    blocks = _csv_blocks(found)
    for when in found.register.by_status.columns:
        header = blocks[("register", when)]
        cells = {"roll": header["Pupils on roll"],
                 "register": header["On the SEN register (E and K)"]}
        constraints: list[Constraint] = [({"register": 1, "roll": -1}, False)]
        floors: dict[str, int] = {}
        for section in ("register by status", "register by primary need",
                        "register by year group", "register by sex"):
            breakdown = {f"{section}: {k}": v for k, v in blocks[(section, when)].items()}
            cells.update(breakdown)
            constraints.append(({**dict.fromkeys(breakdown, 1), "register": -1}, True))
        index = found.register.by_status.columns.index(when)
        for breakdown, section in ((found.register.by_status, "register by status"),
                                   (found.register.by_need, "register by primary need"),
                                   (found.register.by_year, "register by year group"),
                                   (found.register.by_sex, "register by sex")):
            for label, count in zip(breakdown.labels, breakdown.column(index), strict=True):
                floors[f"{section}: {label}"] = 1 if count else 0
        register = found.register.register_size[index]
        assert_protected(cells, constraints, register if register >= 5 else 4, floors)


def _requests_school(session, outcomes: Sequence[str]) -> None:
    """A request sent on 3/9/2026 for each outcome: "within" (decided 1/10, agreed), "late"
    (decided 1/11, agreed), "refused" (decided 1/10, not to assess), "pending" (sent 1/11, not
    yet due), "overdue" (no decision), "withdrawn" (withdrawn 1/10, undecided)."""
    sent = {"local_authority": "Durham", "consent_on": D(2026, 9, 1), "consent_from": "Mrs Okafor",
            "head_name": "Mr J Lowe", "head_signed_on": D(2026, 9, 2),
            "submitted_on": D(2026, 9, 3),
            "below_readiness_reason": "The LA asked for the request at the annual review."}
    for n, outcome in enumerate(outcomes):
        pupil = sen_support_pupil(session, surname=f"Surname{n}", since=D(2026, 9, 1))
        changes: dict[str, object] = {
            "within": {"decision": "assess", "decision_on": D(2026, 10, 1)},
            "late": {"decision": "assess", "decision_on": D(2026, 11, 1)},
            "refused": {"decision": "not_assess", "decision_on": D(2026, 10, 1)},
            "pending": {},
            "overdue": {},
            "withdrawn": {"withdrawn_on": D(2026, 10, 1)}}[outcome]
        request = ehc.add_request(session, pupil, {
            **sent, **({"submitted_on": D(2026, 11, 1), "head_signed_on": D(2026, 10, 30),
                        "consent_on": D(2026, 10, 29)} if outcome == "pending" else {})})
        if changes:
            ehc.update_request(session, request, changes)


@pytest.mark.parametrize("outcomes", [
    # The reviewer's case: every request decided in time, one refused, none pending.
    ("within",) * 5 + ("refused",),
    ("within",) * 4 + ("late", "refused"),
    ("within",) * 6 + ("pending", "withdrawn"),
    ("within", "within", "refused", "overdue"),
    ("within",) * 7 + ("late",) * 5 + ("refused", "overdue", "pending"),
], ids=["five-agreed-one-refused", "one-late-one-refused", "one-pending-one-withdrawn",
        "four-requests", "fifteen-requests"])
def test_no_hidden_request_count_can_be_worked_out(senco_session, outcomes):
    _requests_school(senco_session, outcomes)
    found = governors_report.figures(senco_session, "2026/27")
    assert dict(found.requests)[SENT] == len(outcomes)
    assert_requests_protected(found)


def test_the_demo_schools_requests_and_register_cannot_be_worked_out(tmp_path, clock):
    from sendesk.demo import create_demo_school
    session, _ = create_demo_school(tmp_path / "demo.sendesk", "demo", "Demo SENCO",
                                    "copper-pylon-saffron-21", clock=clock)
    try:
        for year in ("2025/26", "2026/27"):
            found = governors_report.figures(session, year)
            assert_requests_protected(found)
            assert_register_protected(found)
        # Last year's nine requests were all decided in time and all ended in a plan on time:
        # "decided in time: 9" beside "9 sent" would say none was late or is overdue.
        printed = assert_requests_protected(governors_report.figures(session, "2025/26"))
        assert (printed[SENT], printed[WITHIN], printed[LATE]) == ("9", FIVE_OR_MORE, FEWER)
    finally:
        session.close()


def test_the_register_of_a_small_school_cannot_be_worked_out(senco_session):
    for n, (need, year) in enumerate((("SEMH", "3"), ("ASD", "3"), ("SLCN", "4"),
                                      ("SLCN", "4"), ("SLCN", "5"), ("SLCN", "5"),
                                      ("SLCN", "6"))):
        sen_support_pupil(senco_session, surname=f"Surname{n}", since=D(2026, 9, 1),
                          needs=(need,), year_group=year)
    assert_register_protected(governors_report.figures(senco_session, "2026/27"))


def _leaves(rng: random.Random) -> dict[str, int]:
    """A year's requests by outcome, made up: how many ended each way."""
    def some() -> int:
        return rng.choice((0, 0, 0, 1, 2, 3, 4, 5, 6, 8, 11))
    counts = {k: some() for k in (WITHIN, LATE, OVERDUE, NOT_DUE, WITHDRAWN_FIRST, REFUSED,
                                  FINAL_ON_TIME, FINAL_LATE, FINAL_OVERDUE, FINAL_NOT_DUE,
                                  NO_PLAN, WITHDRAWN_AFTER)}
    counts[AGREED] = sum(counts[k] for k in (FINAL_ON_TIME, FINAL_LATE, FINAL_OVERDUE,
                                             FINAL_NOT_DUE, NO_PLAN, WITHDRAWN_AFTER))
    decided = counts[AGREED] + counts[REFUSED]
    counts[LATE] = min(counts[LATE], decided)
    counts[WITHIN] = decided - counts[LATE]
    counts[DECIDED] = decided
    counts[SENT] = decided + counts[OVERDUE] + counts[NOT_DUE] + counts[WITHDRAWN_FIRST]
    return counts


def test_no_mix_of_outcomes_lets_a_hidden_request_count_be_worked_out():
    """Three hundred made-up years of requests (many with a row of none, many small), each
    printed as the report prints it and attacked."""
    rng = random.Random(19)
    for _ in range(300):
        counts = _leaves(rng)
        pairs = tuple((label, counts[label]) for label in governors_report.REQUEST_LABELS)
        printed = dict(zip(governors_report.REQUEST_LABELS, governors_report.shown_pairs(pairs),
                           strict=True))
        cap = counts[SENT] if counts[SENT] >= 5 else 4
        assert_protected(printed, request_constraints(printed), cap)


def test_every_relation_the_attack_reads_is_between_printed_rows():
    """The attack skips a relation whose rows the report does not print: the report prints
    them all, so none is skipped."""
    named = {k for whole, parts, _ in REQUEST_RELATIONS for k in (whole, *parts)}
    assert named <= set(governors_report.REQUEST_LABELS)


def test_the_csv_and_the_pdf_print_the_same_request_cells(senco_session, school, tmp_path,
                                                          capsys):
    _requests_school(senco_session, ("within",) * 5 + ("refused",))
    out, figures = tmp_path / "governors.pdf", tmp_path / "governors.csv"
    code = main(["report", "governors", str(school[0]), "--year", "2026/27", "--out", str(out),
                 "--csv", str(figures), "--user", SENCO],
                stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    assert code == 0, capsys.readouterr().err
    rows = list(csv.reader(figures.read_text(encoding="utf-8-sig").splitlines()))
    printed = {r[1]: r[3] for r in rows[1:] if r[0] == REQUESTS}
    assert printed[SENT] == "6" and printed[REFUSED] == NOT_SHOWN
    text = " ".join(pages_text(out.read_bytes()))
    section = text[text.index("EHC needs assessment requests Requests the school sent"):]
    for label in governors_report.REQUEST_LABELS:
        assert f"{label} {printed[label]}" in section, label


def _requests_text(session) -> str:
    from sendesk.documents import governors_report as governors_document
    document = governors_document.build(governors_report.figures(session, "2026/27"), "School")
    text = document.text()
    return text[text.index(REQUESTS):text.index("Provision spend against")]


def test_the_requests_block_says_why_its_rows_are_not_shown(senco_session):
    """Where the decided row is exact and its splits hidden, every final-plan row is "not
    shown" too: nine such rows with no sentence saying why. And the paragraph's last clause
    ("and each the LA agreed to assess is in one of the last six rows") read as a fragment."""
    _requests_school(senco_session, ("within",) * 5 + ("refused",))
    section = _requests_text(senco_session)
    assert NOT_SHOWN in section
    assert ("Each request the LA agreed to assess is counted in one of the last six rows."
            in section)
    assert ('Rows marked "not shown" are hidden together, so that small numbers cannot be '
            "worked out from the others.") in section


def test_the_line_about_hidden_rows_is_only_there_when_a_row_is_hidden(senco_session):
    _requests_school(senco_session, ("within",))
    section = _requests_text(senco_session)
    assert NOT_SHOWN not in section and "hidden together" not in section
