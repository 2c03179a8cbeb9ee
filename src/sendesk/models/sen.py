"""The SEN register's vocabulary and rules: SIMS statuses E/K/N and DfE census need codes.

The codes are data (resources/need_codes.json). The rules are the DfE's and the guidance's:
N (no SEN) is only for a pupil taken off the register, and only for the first census after;
NSA is only for SEN support (K) and stands alone; rank 1 is the primary need and secondary needs
are ranked without repeats. Old files may carry the provision codes S, A and P: they are read
and mapped (S to E; A and P to K) but never written.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ValidationError
from ..resources import load_json

ON_REGISTER = ("E", "K")


@dataclass(frozen=True)
class NeedCode:
    code: str
    label: str
    area: str | None
    area_label: str | None
    only_with_status: tuple[str, ...] | None
    alone: bool


@functools.lru_cache(maxsize=1)
def areas() -> dict[str, str]:
    """The four broad areas of need, keyed by short code (CL, CI, SEMH, SP)."""
    return dict(load_json("need_codes.json")["areas"])


@functools.lru_cache(maxsize=1)
def need_codes() -> dict[str, NeedCode]:
    """Every census type-of-need code, in the DfE's order."""
    result = {}
    for entry in load_json("need_codes.json")["needs"]:
        area = entry.get("area")
        only = entry.get("only_with_status")
        result[entry["code"]] = NeedCode(entry["code"], entry["label"], area,
                                         areas().get(area) if area else None,
                                         tuple(only) if only else None, bool(entry.get("alone")))
    return result


@functools.lru_cache(maxsize=1)
def statuses() -> dict[str, str]:
    """E, K and N with their labels."""
    return {entry["code"]: entry["label"] for entry in load_json("need_codes.json")["statuses"]}


@functools.lru_cache(maxsize=1)
def _legacy() -> dict[str, str]:
    return {code: entry["maps_to"]
            for code, entry in load_json("need_codes.json")["legacy_statuses"].items()}


def clean_status(value: str) -> str:
    """A status to be saved: E, K or N only."""
    text = (value or "").strip().upper()
    if text in statuses():
        return text
    if text in _legacy():
        raise ValidationError(f"'{text}' is an old provision code that is no longer used; record "
                              f"the status as {_legacy()[text]}.", field="status")
    raise ValidationError(f"SEN status '{(value or '').strip()}' is not E (EHC plan), K (SEN "
                          "support) or N (no SEN).", field="status")


def read_status(value: str) -> str:
    """A status read from an older file or typed as a filter: S, A and P are mapped to E or K."""
    text = (value or "").strip().upper()
    return clean_status(_legacy().get(text, text))


def clean_need_code(value: str) -> str:
    text = (value or "").strip().upper()
    if text not in need_codes():
        raise ValidationError(f"'{(value or '').strip()}' is not a census type-of-need code; use "
                              "one of " + ", ".join(need_codes()) + ".", field="needs")
    return text


def clean_needs(codes: Iterable[str], status: str) -> tuple[str, ...]:
    """Ranked needs (primary first) checked against the pupil's status."""
    needs = tuple(clean_need_code(code) for code in codes if (code or "").strip())
    seen: set[str] = set()
    for code in needs:
        if code in seen:
            raise ValidationError(f"{code} is listed twice; each need may be ranked only once.",
                                  field="needs")
        seen.add(code)
    if status not in ON_REGISTER:
        if needs:
            raise ValidationError("Needs are recorded only for pupils on the SEN register (E or "
                                  "K).", field="needs")
        return needs
    if not needs:
        raise ValidationError("Choose a primary need (use NSA for SEN support without a "
                              "specialist assessment of the type of need).", field="needs")
    for code in needs:
        rule = need_codes()[code]
        if rule.only_with_status and status not in rule.only_with_status:
            raise ValidationError(f"{code} is only used for SEN support (K), not for status "
                                  f"{status}.", field="needs")
        if rule.alone and len(needs) > 1:
            raise ValidationError(f"{code} means the type of need has not been assessed, so it "
                                  "cannot be combined with other needs.", field="needs")
    return needs


def register_change(previous: str | None, new: str) -> str | None:
    """'added' or 'removed' when parents must be formally told; None for E<->K."""
    was_on = previous in ON_REGISTER
    now_on = new in ON_REGISTER
    if now_on and not was_on:
        return "added"
    if was_on and not now_on:
        return "removed"
    return None


def check_status_change(previous: str | None, new: str) -> None:
    if previous == new:
        raise ValidationError(f"The pupil's status is already {new}.", field="status")
    if new == "N" and previous not in ON_REGISTER:
        raise ValidationError("N (no SEN) is only for a pupil being taken off the SEN register; "
                              "this pupil is not on it.", field="status")


@dataclass(frozen=True)
class StatusPeriod:
    """One stretch of a pupil's SEN history: a status from its start until the next change."""

    id: int
    status: str
    start_date: dt.date
    end_date: dt.date | None
    reason: str
    changed_by: str
    entered_at: str


@dataclass(frozen=True)
class NeedPeriod:
    id: int
    code: str
    rank: int
    start_date: dt.date
    end_date: dt.date | None
    entered_at: str

    @property
    def label(self) -> str:
        return need_codes()[self.code].label if self.code in need_codes() else self.code
