"""The DfE UPN rule: check letter over characters 2-13 weighted 2..13 mod 23, LA numbers from
the data file (including authorities created since 2019), temporary UPNs ending in a letter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendesk.errors import ValidationError
from sendesk.models.upn import ALPHABET, check_letter, clean_upn, is_temporary, la_names, make_upn
from sendesk.resources import load_json


def test_the_dfe_example_is_valid():
    assert clean_upn("B801200005001") == "B801200005001"
    assert check_letter("801200005001") == "B"


def test_typed_forms_are_normalised():
    assert clean_upn(" b801 2000 05001 ") == "B801200005001"


@pytest.mark.parametrize("text, words", [
    ("A801200005001", "check letter should be B"),
    ("B80120000500", "has 12 characters"),
    ("B8012000050011", "has 14 characters"),
    ("B80120000A001", "not in the UPN pattern"),
    ("1801200005001", "not in the UPN pattern"),
    ("I801200005001", "I, O and S"),
    ("B80120000500S", "I, O and S"),
    ("", "is required"),
])
def test_bad_upns_are_refused_with_the_reason(text, words):
    with pytest.raises(ValidationError, match=words) as caught:
        clean_upn(text)
    assert caught.value.field == "upn"


def test_an_unknown_la_number_is_refused():
    with pytest.raises(ValidationError, match="LA number 000"):
        clean_upn(make_upn("000", "2001", 24, 1))
    with pytest.raises(ValidationError, match="LA number 999"):
        clean_upn(make_upn("999", "2001", 24, 1))


@pytest.mark.parametrize("la", ["838", "839", "940", "941", "942", "943", "815", "933", "825",
                                "420", "201", "700", "701", "702", "703", "704", "705", "706",
                                "708", "681", "909", "928", "835", "836", "837"])
def test_current_former_welsh_and_pseudo_las_are_accepted(la):
    assert clean_upn(make_upn(la, "4001", 19, 123))[1:4] == la


def test_the_la_list_holds_the_153_current_english_authorities():
    codes = load_json("la_codes.json")["codes"]
    current = [entry for entry in codes if entry["kind"] == "current"]
    assert len(current) == 153
    assert len({entry["code"] for entry in codes}) == len(codes)
    assert la_names()["940"] == "North Northamptonshire"
    assert la_names()["943"] == "Westmorland and Furness"


def test_a_temporary_upn_ends_in_a_letter_that_counts_in_the_check():
    temporary = make_upn("940", "4001", 25, 7, "T")
    assert clean_upn(temporary) == temporary
    assert is_temporary(temporary) and not is_temporary("B801200005001")
    other_letter = temporary[:-1] + "U"
    with pytest.raises(ValidationError, match="check letter"):
        clean_upn(other_letter)


bodies = st.tuples(st.sampled_from(sorted(la_names())), st.integers(1000, 9999),
                   st.integers(0, 99), st.integers(0, 999))


@given(bodies)
def test_every_built_upn_passes(parts):
    la, estab, year, serial = parts
    upn = make_upn(la, str(estab), year, serial)
    assert clean_upn(upn) == upn


@given(bodies, st.integers(4, 12), st.integers(1, 9))
def test_any_single_mistyped_digit_after_the_la_is_caught(parts, position, shift):
    la, estab, year, serial = parts
    upn = make_upn(la, str(estab), year, serial)
    digit = (int(upn[position]) + shift) % 10
    mistyped = upn[:position] + str(digit) + upn[position + 1:]
    with pytest.raises(ValidationError):
        clean_upn(mistyped)


def test_the_check_alphabet_leaves_out_confusable_letters():
    assert len(ALPHABET) == 23
    assert not set("IOS") & set(ALPHABET)
