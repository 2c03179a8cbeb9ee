"""What a PC tells its user when the school server refuses, fails or goes quiet: PostgreSQL's
errors turned into the store's own exceptions (store/server_database.py raises these), each
with a sentence a member of staff can act on and an IT technician can trace.

* A constraint, or a safeguard trigger, is the store's ``IntegrityError``, the very class the
  file raises, so ``except IntegrityError`` works on both engines.
* A refused grant is PermissionDenied ("its permissions say so").
* A lock another PC held too long is BUSY; a statement the server stopped is TOO_LONG; a full
  disk says so.
* A lost connection is NOT_ANSWERING ("nothing was changed": the server rolls back a
  transaction whose connection went), except a COMMIT sent with no answer back, which is
  SaveUncertain (MAY_HAVE_SAVED): only the server knows whether that one landed.
* Anything else is the database that could not be read, with the server's own message.
"""

from __future__ import annotations

import psycopg
import sqlcipher3
from psycopg import errors as pg_errors

from ..errors import DamagedDatabase, PermissionDenied, StorageError

# The same class the file raises, so ``except IntegrityError`` works on both engines.
IntegrityError = sqlcipher3.IntegrityError
NOT_ANSWERING = ("The school server is not answering. Check this PC's network connection "
                 "and that the server is running, then try again; nothing was changed.")
# The COMMIT was sent and no answer came: only the server knows whether it landed.
MAY_HAVE_SAVED = ("The school server stopped answering while saving: the change may or may not "
                  "have been saved. Check the record when the server is back.")
BUSY = ("The school server was busy with another change and this one waited too long. Try "
        "again in a moment. Nothing was changed.")
TOO_LONG = ("The school server took too long over this and stopped it. Try again; if it keeps "
            "happening, tell IT the server is overloaded. Nothing was changed.")


class SaveUncertain(StorageError):
    """The server stopped answering after the COMMIT was sent (MAY_HAVE_SAVED)."""


def translate(exc: psycopg.Error, conn: psycopg.Connection | None) -> Exception:
    """The store's exception for one of psycopg's (``conn``: the connection it came from, to
    tell a lost connection from a refusal)."""
    diag = getattr(exc, "diag", None)
    message = (diag.message_primary if diag is not None and diag.message_primary else str(exc))
    if isinstance(exc, psycopg.IntegrityError):
        return IntegrityError(message)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return PermissionDenied("The school server does not allow your account to do this "
                                "(its permissions say so). Ask your administrator. Nothing "
                                "was changed.")
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.SerializationFailure
                  | pg_errors.DeadlockDetected):
        return StorageError(BUSY)   # another PC's save, or IT's maintenance: we cannot tell
    if isinstance(exc, pg_errors.QueryCanceled):
        return StorageError(TOO_LONG)
    if isinstance(exc, pg_errors.DiskFull | pg_errors.OutOfMemory):
        return StorageError("The school server has run out of space and refused the change. "
                            "Ask IT to free space on the server. Nothing was changed.")
    if (isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
            or (conn is not None and (conn.broken or conn.closed))):
        return StorageError(NOT_ANSWERING)
    return DamagedDatabase(f"The school server's database could not be read ({message}). "
                           "Nothing was changed.")
