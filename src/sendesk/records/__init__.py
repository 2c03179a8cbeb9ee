"""Repositories over the encrypted store for pupils and their registers.

Every function takes a Session, checks the user's permission in the core (the UI only mirrors
it), works inside one transaction and records what it did in the audit log by id and field
name, never by a pupil's name. Reading a pupil's record is audited too.
"""

# The derived-state rules must be registered before any repository function runs.
from . import derived as _derived  # noqa: E402,F401
