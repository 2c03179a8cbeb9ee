"""Errors whose message is written for a school administrator, not a programmer.

Everything the core raises on purpose derives from SendeskError, and its text is shown to
the user as it stands: the CLI prints it as one line, the UI in a message box. Anything
else that escapes is a bug, and the front ends show a generic apology instead of a traceback.
"""


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


class WeakPassword(ValidationError):
    """A password was refused by the strength rule."""


class StorageError(SendeskError):
    """The disk refused a write (read-only place, disk full); nothing was changed."""
