"""Errors whose message is written for a school administrator, not a programmer.

Everything the core raises on purpose derives from SendeskError, and its text is shown to
the user as it stands: the CLI prints it as one line, the UI in a message box. Anything
else that escapes is a bug, and the front ends show a generic apology instead of a traceback.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class SendeskError(Exception):
    """A failure the user can understand and act on."""


class WrongPassword(SendeskError):
    """The username or password (or recovery key) did not open the database."""


class NotASendeskDatabase(SendeskError):
    """The file is not one of ours (or not encrypted, or not for this key file)."""


class DamagedDatabase(SendeskError):
    """The database or a file that belongs with it has been changed or cut short."""


class KeyFileError(SendeskError):
    """The key file beside the database is missing, unreadable or altered."""


class NewerVersionError(SendeskError):
    """The database was written by a newer sendesk than this one."""


class PermissionDenied(SendeskError):
    """The signed-in user's role does not allow this action."""


ACCOUNT_REMOVED = "Your account has been removed. Ask your administrator."


class ValidationError(SendeskError):
    """Input was refused; the message says which field and why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FieldFaults(ValidationError):
    """Every fault of a form's Save at once, in the order of its fields (the form's, top to
    bottom): the message says each in turn, `field` names the first (where the form puts the
    cursor) and `faults` holds each with its own field, so the form outlines them all."""

    def __init__(self, faults: Sequence[ValidationError]) -> None:
        super().__init__(" ".join(str(fault) for fault in faults), field=faults[0].field)
        self.faults = tuple(faults)


def faults_of(exc: ValidationError) -> tuple[ValidationError, ...]:
    """The faults a refusal names: each of a FieldFaults, or the one."""
    return exc.faults if isinstance(exc, FieldFaults) else (exc,)


class FaultFinder:
    """Checks a form's fields one by one and keeps every fault rather than stopping at the
    first, so one Save can say them all (FieldFaults)."""

    def __init__(self) -> None:
        self.faults: list[ValidationError] = []

    def check(self, work: Callable[[], T]) -> T | None:
        """What the check gives, or None (the fault kept) when it refuses."""
        try:
            return work()
        except ValidationError as exc:
            self.faults.extend(faults_of(exc))
            return None

    def raise_any(self) -> None:
        if self.faults:
            raise FieldFaults(self.faults)


class WeakPassword(ValidationError):
    """A password was refused by the strength rule."""


class StorageError(SendeskError):
    """The disk refused a write (read-only place, disk full); nothing was changed."""
