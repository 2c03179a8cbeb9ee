"""The markers the pupil list shows beside a name, stored as bits for fast filtering."""

from __future__ import annotations

import enum
import functools


class Flag(enum.IntFlag):
    MEDICAL = 1
    EAL = 2
    LOOKED_AFTER = 4
    MONITORING = 8
    PROTECTED_ADDRESS = 16
    NOTIFICATION_DUE = 32

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {Flag.MEDICAL: "Medical / IHP", Flag.EAL: "EAL", Flag.LOOKED_AFTER: "Looked after",
           Flag.MONITORING: "Monitoring", Flag.PROTECTED_ADDRESS: "Protected address",
           Flag.NOTIFICATION_DUE: "Parent notification due"}


@functools.cache
def flags_from_bits(bits: int) -> frozenset[Flag]:
    """Cached: there are only 64 combinations, and building one from the enum costs more than
    reading the pupil's row (a 60,000-pupil list or provision map calls this per pupil)."""
    return frozenset(flag for flag in Flag if bits & flag)
