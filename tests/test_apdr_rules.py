"""The graduated approach's rules on their own: costing, the £6,000 threshold, SMART checks,
review dates and terms, next steps by stage, the risk-of-exclusion rule and cycle counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sendesk.errors import ValidationError
from sendesk.models import apdr, outcomes, provision, reviews, specialists
from sendesk.models.apdr import Decision, Stage
from sendesk.models.calendar import SchoolCalendar
from sendesk.models.provision import CostBasis, Costing, CostLevel

D = dt.date


# --- costing ----------------------------------------------------------------------------------
def test_hourly_cost_is_shared_by_the_group():
    # 3 x 30 min a week for 38 weeks is 57 hours; at £20 an hour that is £1,140, shared by 4.
    costing = Costing(CostBasis.HOUR, 2000, Decimal(3), 30, 38, 4)
    assert provision.yearly_cost_pence(costing) == 28_500
    assert provision.hours_per_year(costing) == Decimal(57)


def test_session_and_yearly_costs():
    assert provision.yearly_cost_pence(Costing(CostBasis.SESSION, 6_000, Decimal("0.5"), 45, 38, 1)) \
        == 114_000
    assert provision.yearly_cost_pence(Costing(CostBasis.SESSION, 6_000, Decimal(1), 45, 10, 3)) \
        == 20_000
    # A yearly amount is the pupil's own share: group size and sessions do not change it.
    assert provision.yearly_cost_pence(Costing(CostBasis.YEAR, 35_000, Decimal(0), 0, 38, 6)) \
        == 35_000


def test_costs_round_half_a_penny_up():
    # 1 x 1 min x 1 week at £0.30 an hour = 0.5p
    assert provision.yearly_cost_pence(Costing(CostBasis.HOUR, 30, Decimal(1), 1, 1, 1)) == 1
    # 0.49p rounds down
    assert provision.yearly_cost_pence(Costing(CostBasis.HOUR, 29, Decimal(1), 1, 1, 1)) == 0


@pytest.mark.parametrize("total, level", [
    (0, CostLevel.UNDER),
    (479_999, CostLevel.UNDER),
    (480_000, CostLevel.NEAR),   # exactly 80 % of £6,000
    (600_000, CostLevel.NEAR),   # at the threshold is not yet past it
    (600_001, CostLevel.OVER),
])
def test_threshold_levels_at_their_boundaries(total, level):
    assert provision.cost_level(total) is level
    assert (provision.cost_warning(total) is None) == (level is CostLevel.UNDER)


def test_threshold_warnings_say_how_much():
    near = provision.cost_warning(540_000)
    assert "£5,400.00" in near and "90 %" in near and "£6,000.00" in near
    over = provision.cost_warning(612_345)
    assert "£6,123.45" in over and "more than" in over and "EHC needs assessment" in over


@pytest.mark.parametrize("text, pence", [("18.50", 1850), ("£1,250", 125_000), ("£ 7.5", 750),
                                         ("0", 0), ("12", 1200)])
def test_money_is_read_in_pence(text, pence):
    assert provision.parse_money(text, "Rate") == pence


@pytest.mark.parametrize("text", ["abc", "1.234", "12,34", "-5", "£100,000.01"])
def test_bad_money_is_refused(text):
    with pytest.raises(ValidationError):
        provision.parse_money(text, "Rate")


def test_money_formats():
    assert provision.format_money(123_456) == "£1,234.56"
    assert provision.format_pounds(479_950) == "£4,800"
    assert provision.money_for_csv(5) == "0.05"


def test_clean_item_defaults_and_checks():
    item = provision.clean_item({"description": "  Precision teaching  ", "area": "cl",
                                 "sessions_per_week": "3", "minutes": "15", "rate": "18",
                                 "delivered_by": "TA"})
    assert item["description"] == "Precision teaching" and item["area"] == "CL"
    assert item["weeks"] == 38 and item["group_size"] == 1
    assert item["cost_basis"] is CostBasis.HOUR and item["rate_pence"] == 1800
    assert provision.yearly_cost_pence(provision.costing_of(item)) == 51_300
    assert provision.describe_frequency(item) == "3 x 15 min a week, 38 weeks, 1:1"
    yearly = provision.clean_item({"description": "Writing slope", "cost_basis": "year",
                                   "rate": "25"})
    assert yearly["sessions_per_week"] == 0 and yearly["minutes"] == 0
    with pytest.raises(ValidationError, match="Sessions a week"):
        provision.clean_item({"description": "x", "sessions_per_week": "0.3", "minutes": "10",
                              "rate": "1"})
    with pytest.raises(ValidationError, match="Group size"):
        provision.clean_item({"description": "x", "sessions_per_week": "1", "minutes": "10",
                              "rate": "1", "group_size": "0"})
    with pytest.raises(ValidationError, match="area of need"):
        provision.clean_item({"description": "x", "sessions_per_week": "1", "minutes": "10",
                              "rate": "1", "area": "XYZ"})


def test_fortnightly_sessions():
    item = provision.clean_item({"description": "Social skills", "sessions_per_week": "0.5",
                                 "minutes": "60", "rate": "30", "group_size": "2"})
    assert provision.describe_frequency(item) == "60 min once a fortnight, 38 weeks, group of 2"
    assert provision.yearly_cost_pence(provision.costing_of(item)) == 28_500


@pytest.mark.parametrize("typed, sessions", [
    ("0.5", Decimal("0.5")), (".5", Decimal("0.5")), ("0.50", Decimal("0.5")), ("2", Decimal(2)),
    ("2.", Decimal(2)), ("1.5", Decimal("1.5")), ("25", Decimal(25)), (Decimal("1E+1"), 10),
    (3, Decimal(3)), (2.5, Decimal("2.5"))])
def test_sessions_a_week_read_as_typed(typed, sessions):
    assert provision.parse_sessions(typed) == sessions


@pytest.mark.parametrize("typed", ["1e1", "1E1", "2.5e0", "nan", "NaN", "inf", "-inf",
                                   "Infinity", "sNaN", "1_0", float("nan"), float("inf"),
                                   Decimal("nan"), "", None])
def test_sessions_a_week_in_scientific_notation_or_not_a_number_are_not_numbers(typed):
    """Decimal()'s grammar took "1e1" as 10 sessions and "nan" / "inf" as numbers out of
    range; a SENCO types neither."""
    with pytest.raises(ValidationError) as refused:
        provision.parse_sessions(typed)
    assert str(refused.value) == ("Sessions a week must be a number, such as 3 or 0.5 (once a "
                                  "fortnight).")


# --- SMART ------------------------------------------------------------------------------------
def _outcome(**fields):
    base = {"text": "Read the first 100 high-frequency words", "measure": "90 out of 100 words "
            "read correctly on two checks", "target_date": D(2027, 3, 26), "pfa_area": None}
    base.update(fields)
    return base


def test_a_smart_outcome_has_no_warnings():
    assert outcomes.outcome_warnings(_outcome(), plan_date=D(2026, 11, 23),
                                     review_date=D(2027, 3, 31)) == []


def test_no_measure_and_no_date_are_flagged():
    codes = [w.code for w in outcomes.outcome_warnings(_outcome(measure="", target_date=None))]
    assert codes == ["no_measure", "no_date"]


@pytest.mark.parametrize("measure, vague", [
    ("Reads better", True),
    ("Is more confident in class", True),
    ("Asks for help without an adult prompt", False),
    ("on 4 of 5 days", False),
    ("every morning", False),
    ("three times a week", False),
])
def test_a_measure_needs_a_number_or_a_standard(measure, vague):
    codes = [w.code for w in outcomes.outcome_warnings(_outcome(measure=measure))]
    assert ("vague_measure" in codes) == vague


def test_dates_against_the_plan_and_review():
    plan, review = D(2026, 11, 23), D(2027, 3, 31)
    assert [w.code for w in outcomes.outcome_warnings(_outcome(target_date=plan), plan_date=plan)] \
        == ["date_not_ahead"]
    assert outcomes.outcome_warnings(_outcome(target_date=review), review_date=review) == []
    assert [w.code for w in outcomes.outcome_warnings(_outcome(target_date=D(2027, 4, 1)),
                                                      review_date=review)] == ["date_after_review"]


@pytest.mark.parametrize("year, asked", [("R", False), ("8", False), ("9", True), ("11", True),
                                        ("14", True), (None, False)])
def test_preparing_for_adulthood_is_asked_for_from_year_9(year, asked):
    warnings = outcomes.plan_warnings([_outcome()], year_group=year)
    assert any(w.code == "no_pfa" for w in warnings) == asked
    linked = outcomes.plan_warnings([_outcome(pfa_area="independent_living")], year_group=year)
    assert not any(w.code == "no_pfa" for w in linked)


def test_plan_level_warnings():
    assert [w.code for w in outcomes.plan_warnings([], year_group="3")] == ["no_outcomes"]
    assert outcomes.plan_warnings([_outcome()] * 6, year_group="3") == []
    many = outcomes.plan_warnings([_outcome()] * 7, year_group="3")
    assert [w.code for w in many] == ["many_outcomes"]
    numbered = outcomes.plan_warnings([_outcome(), _outcome(measure="")], year_group="3")
    assert str(numbered[0]).startswith("Outcome 2: no measure")


def test_clean_outcome():
    cleaned = outcomes.clean_outcome({"text": " Tie shoelaces ", "measure": "", "target_date":
                                      "26/03/2027", "pfa_area": "independent_living"})
    assert cleaned["text"] == "Tie shoelaces" and cleaned["target_date"] == D(2027, 3, 26)
    with pytest.raises(ValidationError):
        outcomes.clean_outcome({"text": ""})
    with pytest.raises(ValidationError):
        outcomes.clean_outcome({"text": "x", "pfa_area": "money"})


# --- review dates -----------------------------------------------------------------------------
# England's default term dates for 2026/27: autumn 02/09/2026 to 18/12/2026, spring 04/01/2027
# to 19/03/2027 (the Easter break from 22/03/2027), summer from 05/04/2027.
CAL = SchoolCalendar()


@pytest.mark.parametrize("plan, latest", [
    (D(2026, 9, 3), D(2026, 12, 10)),     # 14 weeks on, a Thursday in term
    (D(2026, 11, 23), D(2027, 3, 1)),
    (D(2026, 9, 18), D(2026, 12, 18)),    # 14 weeks is Christmas Day: back to the last day of term
    (D(2026, 12, 21), D(2027, 3, 19)),    # Easter Monday, in the Easter break: back to 19/03
])
def test_the_latest_review_is_fourteen_weeks_on_at_a_school_day(plan, latest):
    assert reviews.latest_review_date(plan, CAL) == latest


def test_a_plan_agreed_in_september_cannot_set_its_review_for_april():
    # The case in issue 20: the old rule allowed the end of the next term, two terms on.
    plan = D(2026, 9, 3)
    with pytest.raises(ValidationError, match=r"too far ahead.*no later than 10/12/2026 \(at most 14 weeks"):
        reviews.check_review_date(plan, D(2027, 4, 14), CAL)
    assert reviews.check_review_date(plan, D(2026, 12, 10), CAL) == D(2026, 12, 10)
    assert reviews.check_review_date(plan, D(2026, 10, 1), CAL) == D(2026, 10, 1)  # sooner is fine


def test_review_date_checks():
    plan = D(2026, 11, 23)
    with pytest.raises(ValidationError, match="after the plan date"):
        reviews.check_review_date(plan, plan, CAL)
    with pytest.raises(ValidationError, match="Agree a review date"):
        reviews.check_review_date(plan, None, CAL)
    with pytest.raises(ValidationError, match=r"Saturday 28/11/2026 is not a school day; the next "
                                              r"school day is Monday 30/11/2026"):
        reviews.check_review_date(plan, D(2026, 11, 28), CAL)
    with pytest.raises(ValidationError, match=r"in the school holidays"):
        reviews.check_review_date(plan, D(2026, 12, 23), CAL)


def test_a_review_in_a_holiday_is_refused_for_the_holiday_first():
    # rev20's finding 7: 22/03/2027 (Easter holiday) on a plan agreed 14/12/2026 was refused
    # only as "too far ahead", so the teacher did not learn the school is shut that day.
    with pytest.raises(ValidationError) as refused:
        reviews.check_review_date(D(2026, 12, 14), D(2027, 3, 22), CAL)
    assert str(refused.value).startswith(
        "Monday 22/03/2027 is in the school holidays, not a school day, and is too far ahead")
    assert "no later than Friday 19/03/2027" in str(refused.value)


def test_the_schools_weeks_and_inset_days_set_the_limit():
    own = SchoolCalendar(review_weeks=12, inset_days={2026: [D(2026, 11, 20), D(2026, 11, 26)]})
    assert reviews.latest_review_date(D(2026, 9, 3), own) == D(2026, 11, 25)  # 26/11 is INSET
    with pytest.raises(ValidationError, match="Friday 20/11/2026 is an INSET day, not a school day"):
        reviews.check_review_date(D(2026, 9, 3), D(2026, 11, 20), own)


def test_a_term_ends_on_its_last_school_day_not_in_the_holiday_after_it():
    # The hint once proposed 04/04/2027, "the end of the spring term", for a term ending 19/03.
    assert reviews.next_term(D(2026, 12, 10), CAL).end == D(2027, 3, 19)
    assert reviews.term_of(D(2026, 12, 31), CAL).name == "Autumn"   # the holiday belongs to autumn


def test_a_half_termly_review_is_suggested_when_needs_change():
    assert reviews.half_termly_review_by(D(2026, 10, 26), CAL) == D(2026, 12, 14)   # 7 weeks
    assert reviews.half_termly_review_by(D(2026, 11, 6), CAL) == D(2026, 12, 18)   # not 25/12


@pytest.mark.parametrize("review, state", [
    (None, reviews.ReviewState.NO_PLAN),
    (D(2026, 11, 22), reviews.ReviewState.OVERDUE),
    (D(2026, 11, 23), reviews.ReviewState.DUE),          # today
    (D(2026, 12, 7), reviews.ReviewState.DUE),           # 14 days ahead
    (D(2026, 12, 8), reviews.ReviewState.UPCOMING),      # 15 days ahead
])
def test_reviews_due_and_overdue(review, state):
    assert reviews.review_state(review, D(2026, 11, 23)) is state


def test_days_overdue():
    assert reviews.days_overdue(D(2026, 11, 20), D(2026, 11, 23)) == 3
    assert reviews.days_overdue(D(2026, 11, 23), D(2026, 11, 23)) == 0


def test_at_least_three_reviews_a_year():
    today = D(2026, 11, 23)
    held = [D(2026, 3, 1), D(2026, 7, 1), D(2026, 11, 23)]
    assert reviews.reviews_in_last_year(held, today) == 3
    assert not reviews.too_few_reviews(D(2025, 9, 1), held, today)
    # A review exactly a year ago today is outside the twelve months.
    assert reviews.reviews_in_last_year([D(2025, 11, 23), D(2025, 11, 24)], today) == 1
    assert reviews.too_few_reviews(D(2025, 9, 1), held[:2], today)
    assert reviews.too_few_reviews(D(2025, 11, 23), [], today)


def test_the_first_year_of_sen_support_is_counted_too():
    # Once a pathway had to be open a year before its reviews were counted, so a first year
    # could pass with two. Now one review is expected for each third of a year.
    today = D(2026, 11, 23)
    assert reviews.expected_reviews(D(2026, 9, 1), today) == 0
    assert reviews.expected_reviews(D(2026, 7, 20), today) == 1
    assert reviews.expected_reviews(D(2026, 2, 23), today) == 2
    assert reviews.too_few_reviews(D(2026, 2, 23), [D(2026, 6, 1)], today)
    assert not reviews.too_few_reviews(D(2026, 2, 23), [D(2026, 6, 1), D(2026, 10, 1)], today)
    assert reviews.too_few_reviews(D(2025, 12, 1), [D(2026, 3, 1)], today)   # 11 months, one review


# --- next steps and risk of exclusion ---------------------------------------------------------
def test_next_steps_are_the_stage_lists():
    assert apdr.decisions_for(Stage.TARGETED) == (
        Decision.BACK_TO_ORDINARY, Decision.CONTINUE_TARGETED, Decision.MOVE_TO_SPECIALIST,
        Decision.ATTENDANCE, Decision.EXCLUSION_PREVENTION)
    assert apdr.decisions_for(Stage.SPECIALIST) == (
        Decision.BACK_TO_ORDINARY, Decision.CONTINUE_SPECIALIST, Decision.REQUEST_EHCNA,
        Decision.ATTENDANCE, Decision.EXCLUSION_PREVENTION)
    assert all(decision.label and decision.explanation for decision in Decision)


def test_what_each_decision_does():
    assert Decision.CONTINUE_TARGETED.next_stage(Stage.TARGETED) is Stage.TARGETED
    assert Decision.MOVE_TO_SPECIALIST.next_stage(Stage.TARGETED) is Stage.SPECIALIST
    assert Decision.CONTINUE_SPECIALIST.next_stage(Stage.SPECIALIST) is Stage.SPECIALIST
    assert Decision.REQUEST_EHCNA.next_stage(Stage.SPECIALIST) is Stage.SPECIALIST
    for closing in (Decision.BACK_TO_ORDINARY, Decision.ATTENDANCE, Decision.EXCLUSION_PREVENTION):
        assert closing.next_stage(Stage.TARGETED) is None
    assert [d for d in Decision if d.leaves_register] == [Decision.BACK_TO_ORDINARY]


def test_a_decision_must_belong_to_the_stage():
    assert apdr.check_decision(Stage.TARGETED, "move_to_specialist", False) \
        is Decision.MOVE_TO_SPECIALIST
    with pytest.raises(ValidationError, match="not a next step"):
        apdr.check_decision(Stage.TARGETED, Decision.REQUEST_EHCNA, False)
    with pytest.raises(ValidationError, match="not a next step"):
        apdr.check_decision(Stage.SPECIALIST, Decision.CONTINUE_TARGETED, False)
    with pytest.raises(ValidationError, match="Choose the decision"):
        apdr.check_decision(Stage.SPECIALIST, "", False)


def test_risk_of_exclusion_rules_out_withdrawing_support():
    assert Decision.BACK_TO_ORDINARY not in apdr.allowed_decisions(Stage.TARGETED, True)
    assert len(apdr.allowed_decisions(Stage.SPECIALIST, True)) == 4
    with pytest.raises(ValidationError, match="risk of exclusion"):
        apdr.check_decision(Stage.TARGETED, Decision.BACK_TO_ORDINARY, True)


def _item(**fields):
    base = {"description": "Lego therapy", "delivered_by": "TA", "group_size": 3,
            "sessions_per_week": Decimal(1), "minutes": 45, "weeks": 38, "cost_basis": "hour",
            "rate_pence": 1800}
    base.update(fields)
    return base


def test_risk_of_exclusion_forces_a_provision_change():
    before = [_item(), _item(description="Check-in with key adult", minutes=10)]
    same_again = [_item(description="Check-in with  KEY adult", minutes=10), _item()]
    assert not apdr.provision_changed(before, same_again)
    with pytest.raises(ValidationError, match="provision must change"):
        apdr.check_exclusion_rule(True, before, same_again)
    apdr.check_exclusion_rule(False, before, same_again)   # no risk, no rule
    apdr.check_exclusion_rule(True, before, same_again + [_item(description="Nurture group")])
    apdr.check_exclusion_rule(True, before, [_item(minutes=60), before[1]])   # more of it
    apdr.check_exclusion_rule(True, before, before[:1])                       # something stopped


def test_cycle_counts_across_stages():
    counted = apdr.count_cycles([("targeted", True), ("targeted", True), (Stage.SPECIALIST, True),
                                 ("specialist", False)])
    assert counted == apdr.CycleCount(total=4, completed=3, targeted=2, specialist=1)
    assert apdr.count_cycles([]) == apdr.CycleCount(0, 0, 0, 0)


def test_where_a_cycle_has_got_to():
    assert apdr.next_part(False, False, False) is apdr.Part.ASSESS
    assert apdr.next_part(True, False, False) is apdr.Part.PLAN
    assert apdr.next_part(True, True, False) is apdr.Part.DO
    assert apdr.next_part(True, True, True) is None


# --- specialists ------------------------------------------------------------------------------
def test_the_services_include_the_code_of_practice_list():
    labels = " ".join(service.label for service in specialists.services().values()).lower()
    for name in ("educational psychology", "speech and language", "occupational therapy",
                 "physiotherapy", "camhs", "specialist teacher", "outreach"):
        assert name in labels
    assert specialists.services()["EP"].educational
    assert specialists.service_label("OTHER", "Virtual school") == "Virtual school"


def test_involvement_needs_consent_dated():
    today = D(2026, 11, 23)
    cleaned = specialists.clean_involvement({"service": "SALT", "referral_date": "02/10/2026",
                                             "consent": "given", "consent_date": "01/10/2026"},
                                            today)
    assert cleaned["consent"] is specialists.Consent.GIVEN
    with pytest.raises(ValidationError, match="date the parents answered"):
        specialists.clean_involvement({"service": "SALT", "referral_date": "02/10/2026",
                                       "consent": "given"}, today)
    with pytest.raises(ValidationError, match="after today"):
        specialists.clean_involvement({"service": "EP", "referral_date": "24/11/2026"}, today)
    with pytest.raises(ValidationError, match="Service name"):
        specialists.clean_involvement({"service": "OTHER", "referral_date": "02/10/2026"}, today)


def test_report_files_are_checked():
    assert specialists.check_report_file("C:\\reports\\EP report.pdf", b"%PDF-1.7 ...") == \
        ("EP report.pdf", "application/pdf")
    with pytest.raises(ValidationError, match="not a type"):
        specialists.check_report_file("run.exe", b"MZ")
    with pytest.raises(ValidationError, match="does not look like"):
        specialists.check_report_file("report.pdf", b"hello")
    with pytest.raises(ValidationError, match="up to 10 MB"):
        specialists.check_report_file("big.txt", b"x" * (specialists.MAX_REPORT_BYTES + 1))
    assert specialists.check_report_file("exact.txt", b"x" * specialists.MAX_REPORT_BYTES)[0] \
        == "exact.txt"
