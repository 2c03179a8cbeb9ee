"""The redaction rules: a protected address is found whole, by line, by part and by postcode."""

from __future__ import annotations

import pytest

from sendesk.models.redaction import WITHHELD, Redactor, fragments, postcodes


@pytest.mark.parametrize("text", [
    "Lives at 41 Juniper Terrace, Westfold, WF3 8QT.",
    "Lives at 41 Juniper Terrace.",
    "Lives on Juniper Terrace now.",
    "Postcode WF3 8QT.",
    "Postcode wf38qt.",
    "Postcode WF3\n8QT.",
    "41 juniper\nterrace",
])
def test_a_one_line_address_is_found_in_part(text):
    redact = Redactor(["41 Juniper Terrace, Westfold, WF3 8QT"])
    cleaned = redact(text)
    assert WITHHELD in cleaned
    for telling in ("Juniper", "juniper", "WF3", "wf3", "8QT"):
        assert telling not in cleaned


def test_a_multi_line_address_is_found_by_line_and_postcode():
    redact = Redactor(["Flat 3, 18 Orchard Mews\nHollowbrook\nHB2 9XY"])
    assert redact("Collected from Flat 3, 18 Orchard Mews today (HB29XY).") == (
        f"Collected from {WITHHELD} today ({WITHHELD}).")
    assert redact("Moved to Hollowbrook.") == "Moved to Hollowbrook.", \
        "a town on its own is no secret: it is in other addresses and the school's name"
    assert redact.count == 2


def test_ordinary_words_are_left_alone():
    redact = Redactor(["41 Juniper Terrace, Westfold, WF3 8QT"])
    text = "Reading age improved; Westfolding is not a place; AWF3 8QTX is not a postcode."
    assert redact(text) == text


def test_the_pieces_of_an_address():
    assert postcodes("a, b, ec1a1bb and SW1A 2AA") == ["EC1A 1BB", "SW1A 2AA"]
    assert "Juniper Terrace" in fragments("41 Juniper Terrace, Westfold, WF3 8QT")
    assert "Westfold" not in fragments("41 Juniper Terrace, Westfold, WF3 8QT"), \
        "one word of a one-line address alone is too common to withhold everywhere"
    assert not Redactor(["", "  "])
