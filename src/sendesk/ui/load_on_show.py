"""Pages that read a lot (the provision map, reviews due, the calendar) are built empty when
the app opens and read their data the first time they are shown: at county scale reading them
all up front made unlocking take seconds, and a page nobody opens should not be read (or
audited as viewed)."""

from __future__ import annotations

from typing import Any


class LoadOnShow:
    """Mix into a QWidget page that has refresh(); call load_now_or_when_shown() last in
    __init__."""

    loaded = False

    def load_now_or_when_shown(self, now: bool) -> None:
        self.loaded = now
        if now:
            self.refresh()  # type: ignore[attr-defined]

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if not self.loaded:
            self.loaded = True
            self.refresh()  # type: ignore[attr-defined]
        super().showEvent(event)  # type: ignore[misc]
