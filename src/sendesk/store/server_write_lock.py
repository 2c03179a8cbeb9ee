"""The school's one write lock on the server: a transaction-scoped advisory lock that every
writer takes first (the app's transactions, the migrations, the owner's functions that work
out the derived facts), so writers from every PC take turns exactly as SQLite's BEGIN
IMMEDIATE makes them take turns on a file. The core's read-then-write steps (the audit chain's
head, cycle numbers, "one open status") keep their guarantees across PCs that way.

Advisory locks belong to one database, so two schools on one server never wait for each other.
"""

from __future__ import annotations

WRITE_LOCK = 0x53454E44   # "SEND"
# Taken inside a transaction, held until it ends; taken again by the same session, at once.
TAKE = f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"
