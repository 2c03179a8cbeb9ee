"""The markers the pupil list shows beside a name, stored as bits for fast filtering."""

from __future__ import annotations

import enum

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


def flags_from_bits(bits: int) -> frozenset[Flag]:
    return frozenset(flag for flag in Flag if bits & flag)
