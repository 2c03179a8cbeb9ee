"""The one source of 'now' for every date rule, so tests can stand on any day they like."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware in UTC."""

    def today(self) -> dt.date:
        """Today's date in the school's (local) calendar."""


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return dt.date.today()


class FixedClock:
    """A clock that says what it is told; advance() moves it on."""

    def __init__(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        self._moment = moment

    def now(self) -> dt.datetime:
        return self._moment

    def today(self) -> dt.date:
        return self._moment.date()

    def advance(self, delta: dt.timedelta) -> None:
        self._moment += delta


def isoformat(moment: dt.datetime) -> str:
    """UTC timestamps stored as text sort correctly and read the same everywhere."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
