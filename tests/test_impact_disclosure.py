"""What the impact table may show, attacked as a reviewer attacked it: no hidden count (of
pupils, measured, reviewed or met) can be had by subtracting a breakdown from its whole row or
from a percentage, and no figure is precise enough to pin down one child."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from sendesk.models import impact as rules
from sendesk.models.impact import Score
from sendesk.models.measures import MeasureKind
from sendesk.models.small_numbers import plain, protect
from sendesk.records.impact import Breakdown, ImpactTable, shown_rows

D = dt.date
POINTS = MeasureKind("standardised")


def _scores(pupils, entries):
    return [Score(p, e, e + g, D(2026, 9, 7), D(2026, 11, 20))
            for p, (e, g) in zip(pupils, entries, strict=True)]


def _table():
    """The reviewer's demo case: 11 pupils, all reviewed, 1 met (9%); 10 at SEN support of
    whom none met, 1 not on the register who did; 9 and 2 measured."""
    sen, other = list(range(1, 11)), [11]
    scores = _scores(sen[:9], [(80, 3)] * 9) + _scores(other + [10], [(70, 1), (90, 2)])
    met = {p: p == 11 for p in sen + other}
    whole = rules.line("Reading", "library", "Sandwell", POINTS, sen + other, scores, met, 110_000)
    parts = tuple(rules.line("Reading", "library", "Sandwell", POINTS, members, scores, met,
                             round(110_000 * len(members) / 11), label)
                  for label, members in (("No SEN", other), ("SEN support", sen)))
    return ImpactTable(D(2026, 9, 2), D(2026, 11, 23), Breakdown.STATUS, (whole,),
                       {("Reading", "Sandwell"): parts})


def test_no_hidden_count_is_the_whole_less_the_shown_breakdown():
    whole, no_sen, sen = list(shown_rows(_table()))
    assert (whole["pupils"], whole["pupils_reviewed"], whole["pupils_measured"]) == \
        ("11", "11", "11")
    # One child: every count and everything worked out from it is hidden...
    assert all(no_sen[c] == "fewer than 5" for c in (
        "pupils", "pupils_reviewed", "pupils_measured", "mean_entry", "mean_gain"))
    # Under "Met %" a bare "fewer than 5" read as under five per cent: it says what is few.
    assert no_sen["met_outcomes_pct"] == "fewer than 5 reviewed"
    # ...and money says so in words that cannot be read as "less than five pounds".
    assert all(no_sen[c] == "not shown" for c in (
        "cost_total", "cost_per_pupil", "cost_per_gain"))
    # ... and so is the other group's, statistic by statistic, or 11 - 10 would count them.
    assert (sen["pupils"], sen["pupils_reviewed"], sen["pupils_measured"]) == \
        ("5 or more", "5 or more", "5 or more")
    assert all(sen[c] == "not shown" for c in ("mean_entry", "mean_exit", "mean_gain",
                                               "met_outcomes_pct", "cost_total",
                                               "cost_per_pupil", "cost_per_gain"))


def test_a_percentage_never_gives_a_small_count_back():
    whole = next(iter(shown_rows(_table())))
    assert whole["met_outcomes_pct"] == "fewer than 5 met"     # not 9% of 11
    line = _table().lines[0]
    assert "9%" not in line.summary() and "fewer than 5 of those reviewed met" in line.summary()
    # Ten met and one did not: "91%" would say one did not.
    everyone = {p: p != 11 for p in range(1, 12)}
    most = rules.line("Reading", "library", "", None, range(1, 12), [], everyone, 0)
    assert rules.shown_cells(most)["met_outcomes_pct"] == "fewer than 5 did not"
    # Five of each: both are 5 or more, so the share may be shown.
    half = rules.line("Reading", "library", "", None, range(1, 11),
                      [], {p: p <= 5 for p in range(1, 11)}, 0)
    assert rules.shown_cells(half)["met_outcomes_pct"] == "50"


def test_means_and_the_cost_of_a_point_are_rounded_before_they_leave():
    # Ten measured, gains 3,3,3,3,4,3,3,4,3,4 (mean 3.3); cost £1,000: £100 a pupil.
    gains = [3, 3, 3, 3, 4, 3, 3, 4, 3, 4]
    row = rules.line("Reading", "library", "Sandwell", POINTS, range(1, 11),
                     _scores(range(1, 11), [(80 + n / 7, g) for n, g in enumerate(gains)]), {},
                     100_000)
    assert row.mean_gain == 3.3 and row.mean_entry == round(row.mean_entry, 1)
    cells = rules.shown_cells(row)
    assert cells["cost_per_gain"] == "30"          # £100 / 3.3 = £30.30..., in whole pounds
    assert row.cost_per_gain_pence == 3000


def test_of_two_scores_on_the_same_day_the_one_entered_last_counts_whatever_the_order():
    first = Score(1, 80, 85, D(2026, 9, 7), D(2026, 11, 20), entered=7)
    second = Score(1, 80, 90, D(2026, 9, 7), D(2026, 11, 20), entered=9)
    earlier = Score(1, 80, 99, D(2026, 9, 7), D(2026, 11, 19), entered=12)
    for order in itertools.permutations([first, second, earlier]):
        assert rules.latest_scores(order) == [second]


# --- what a reader can add up across rows (the reviewer's later attacks) ----------------------

def _phonics(group_pupils, item_pupils, scored):
    """A library item whose row counts a group's pupils and some on plan lines alone."""
    scores = _scores(scored, [(18 + p % 3, 7) for p in scored])
    met = {p: False for p in item_pupils}
    item = rules.line("Phonics", "library", "Phonics check", POINTS, item_pupils, scores, met,
                      100_300)
    group = dataclasses.replace(rules.line("Phonics: group 1", "group", "Phonics check", POINTS,
                                           group_pupils, scores, met, 75_000),
                                part_of="Phonics")
    return item, group


def test_an_item_less_its_groups_never_counts_the_few_outside_them():
    """9 had phonics, 6 of them in its group: 9 - 6 gave the 3 on plan lines alone, and with
    the means and costs of both rows, those 3 children's mean scores and cost."""
    item, group = _phonics(range(1, 7), range(1, 10), range(1, 9))
    wholes, _ = rules.shown_counts([item, group])
    shown = [wholes[(r.provision, r.measure)] for r in (item, group)]
    for name in ("pupils", "measured", "reviewed"):
        numbers = [counts[name] for counts in shown]
        assert not all(n.isdigit() for n in numbers), \
            f"{name}: {numbers} gives the {name} outside the group by subtraction"
    # With 5 or more outside the group, both rows say their numbers.
    item, group = _phonics(range(1, 7), range(1, 13), range(1, 13))
    wholes, _ = rules.shown_counts([item, group])
    assert [wholes[(r.provision, r.measure)]["pupils"] for r in (item, group)] == ["12", "6"]


def test_the_hidden_rows_of_a_breakdown_never_add_up_to_fewer_than_5():
    """8 measured: Year 3 5, three other years each fewer than 5. Each hidden row still had its
    three values, but 8 - 5 gave the 3 in them together, and the whole's means less Year 3's
    gave those 3 children's mean scores."""
    cells = protect({"all": 8, "Y3": 5, "Y4": 1, "Y5": 1, "Y6": 1},
                    [("all", ["Y3", "Y4", "Y5", "Y6"])])
    assert cells["Y3"] == "5 or more", cells


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=2, max_size=7))
def test_no_breakdown_leaves_its_hidden_rows_together_fewer_than_5(parts):
    keys = [f"c{i}" for i in range(len(parts))]
    counts = {"all": sum(parts), **dict(zip(keys, parts, strict=True))}
    cells = protect(counts, [("all", keys)])
    if not plain(cells["all"]):
        return
    hidden = [k for k in keys if not plain(cells[k])]
    rest = counts["all"] - sum(counts[k] for k in keys if plain(cells[k]))
    assert not (len(hidden) >= 2 and 0 < rest < 5), (parts, cells)
