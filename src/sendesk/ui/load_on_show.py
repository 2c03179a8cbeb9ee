"""Pages that read a lot (the provision map, reviews due, the calendar) are built empty when
the app opens and read their data the first time they are shown: at county scale reading them
all up front made unlocking take seconds, and a page nobody opens should not be read (or
audited as viewed).

The same mixin keeps a page current: ``follow(runner, kinds)`` listens to the runner's
``changed`` broadcast, and when a change touches what the page shows it reads again at once if
the page is on screen, or the next time it is shown. No page calls another page's refresh.
"""

from __future__ import annotations

from typing import Any

from ..operations import Changes, Kind


class LoadOnShow:
    """Mix into a QWidget page that has refresh(); call load_now_or_when_shown() last in
    __init__."""

    loaded = False
    followed: frozenset[Kind] = frozenset()

    def load_now_or_when_shown(self, now: bool) -> None:
        self.loaded = now
        if now:
            self.refresh()  # type: ignore[attr-defined]

    def follow(self, runner: Any, kinds: frozenset[Kind] | set[Kind] | tuple[Kind, ...]) -> None:
        """Refresh when work through `runner` changes any of `kinds` (empty: any change)."""
        self.followed = frozenset(kinds)
        runner.changed.connect(self.changes_arrived)

    def changes_arrived(self, changes: Changes) -> None:
        if self.followed and not changes.touches(*self.followed):
            return
        if not self.loaded:
            return   # not read yet: it reads when first shown
        if self.isVisible():  # type: ignore[attr-defined]
            self.refresh()  # type: ignore[attr-defined]
        else:
            self.loaded = False

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        if not self.loaded:
            self.loaded = True
            self.refresh()  # type: ignore[attr-defined]
        super().showEvent(event)  # type: ignore[misc]
