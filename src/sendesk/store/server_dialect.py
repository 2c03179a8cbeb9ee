"""What the SQLite SQL of the core and of the migrations becomes on PostgreSQL.

Two translations, both done by rule rather than by a second copy of the SQL:

* Statements at run time: ``?`` (and ``:name`` with a mapping) become psycopg's ``%s`` and
  ``%(name)s``, and a literal ``%`` becomes ``%%``, everywhere outside quoted literals,
  quoted identifiers and comments. The result is cached per statement text.
* Migrations: each statement of a migration script, as SQLite runs it, is rewritten for
  PostgreSQL. Migrations may use only CREATE TABLE, CREATE [UNIQUE] INDEX, ALTER TABLE ADD,
  DROP or RENAME COLUMN (the same words on both), plain INSERT/UPDATE, and the one trigger
  form the safeguards use::

      CREATE TRIGGER name BEFORE UPDATE [OF col, ...] | DELETE ON table [WHEN condition]
          BEGIN SELECT RAISE(ABORT, 'message'); END;

  Types map INTEGER -> BIGINT (SQLite's integers are 64-bit), REAL -> DOUBLE PRECISION,
  BLOB -> BYTEA; ``INTEGER PRIMARY KEY [AUTOINCREMENT]`` becomes an identity column. A trigger
  becomes a plpgsql function (``<name>_guard``) holding the condition (PostgreSQL's own WHEN may
  not hold a sub-select) that raises integrity_constraint_violation with the same message,
  and a row trigger that calls it. Anything else is refused with the statement named, so a new
  migration that steps outside these forms fails its PostgreSQL test at once instead of
  building a different schema.
"""

from __future__ import annotations

import functools
import re

SCHEMA_VERSION_TABLE = "sendesk_schema_version"

# Indexes the server has beside the migrations' own. Every SQLite index carries the rowid (the
# id) beside its columns, so the pupil list's covering indexes answer ``SELECT id ... ORDER BY
# sort_key`` from the index alone; a PostgreSQL index carries only its columns, so the same
# query read every pupil row and sorted them (40 ms at 20,000 pupils where the index-only
# scan takes 3). These are the list's two indexes with the id included, made (if missing)
# after every full migration by the owner (ServerDatabase.migrate): PostgreSQL-only, because
# INCLUDE is, and kept out of the migrations, whose SQL both engines run.
SERVER_INDEXES = (
    "CREATE INDEX IF NOT EXISTS pupils_list_ids ON pupils (sort_key, search_text, sen_status,"
    " sen_since, primary_need, year_rank, class_name, flags, next_review) INCLUDE (id)"
    " WHERE archived_at IS NULL",
    "CREATE INDEX IF NOT EXISTS pupils_everyone_ids ON pupils (sort_key, search_text)"
    " INCLUDE (id)",
)

# The search box's words are found anywhere in a name (``LIKE '%okaf%'``), which no ordered
# index can answer: every search read the whole list's index, 20 ms of the server's CPU at
# 60,000 pupils however few it found. A trigram index (PostgreSQL's pg_trgm, shipped with the
# server) finds a word of three letters or more among a few candidates instead (1-3 ms). It
# is made after SERVER_INDEXES in the same way; pg_trgm goes in a schema of its own, so that
# none of its functions is granted to the school's logins (public holds only what the
# permission matrix grants; an index uses its operator class without any grant). A server
# without pg_trgm searches as before, more slowly and with the same answers.
SEARCH_SCHEMA = "sendesk_search"
TRIGRAM_INDEX = (
    f"CREATE SCHEMA IF NOT EXISTS {SEARCH_SCHEMA}",
    f"CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA {SEARCH_SCHEMA}",
    "CREATE INDEX IF NOT EXISTS pupils_search_trigrams ON pupils USING gin"
    f" (search_text {SEARCH_SCHEMA}.gin_trgm_ops)",
)
# A word shorter than a trigram gives the index nothing to look up (it would read all of
# it): such words are matched with strpos(), which the index does not offer to answer, so the
# planner scans the list's index in order, as it always did, even for a statement prepared
# once for every word (a generic plan cannot tell 'a' from 'okaf'). It is written ``<> 0``,
# not ``> 0`` (the same rows: strpos() is never negative): the planner guesses a third of the
# rows for ``>`` on a function, and for 'a' (50,000 of 60,000 pupils) it then scanned the table
# and sorted the matches on disk, 60 ms; its guess for ``<>`` is nearly all of them, so it
# reads the list's index in order, 20 ms, and stops there early for the first screen.
TRIGRAM = 3

# Settings of every session, sent at connect beside the server's bounds (server_watch's
# server_options). PostgreSQL compiles a statement it guesses costly to machine code (JIT, on
# by default since version 12), and the impact table's guess is high enough: compiling it
# took 120-160 ms of a 420 ms three-year table at 60,000 pupils and gained nothing
# measurable, as no statement of sendesk's reads more than some 100,000 rows. Off, as the
# PostgreSQL manual suggests for short queries; the server keeps its default for others.
SESSION_SETTINGS = {"jit": "off"}

_TYPES = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION", "BLOB": "BYTEA"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _segments(sql: str) -> list[tuple[bool, str]]:
    """The statement cut into (is_code, text) pieces: quoted literals, quoted identifiers and
    comments are not code, so nothing inside them is ever rewritten."""
    out: list[tuple[bool, str]] = []
    start = i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append((True, sql[start:i]))
            out.append((False, sql[i:end + 1]))
            i = start = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append((True, sql[start:i]))
            out.append((False, sql[i:end]))
            i = start = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append((True, sql[start:i]))
            out.append((False, sql[i:end]))
            i = start = end
        else:
            i += 1
    out.append((True, sql[start:]))
    return [(code, text) for code, text in out if text]


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


@functools.lru_cache(maxsize=4096)
def placeholders(sql: str, named: bool) -> str:
    """``?`` -> ``%s`` (or ``:name`` -> ``%(name)s`` when ``named``) outside literals, and every
    ``%`` -> ``%%``."""
    parts = []
    for code, text in _segments(sql):
        text = text.replace("%", "%%")    # psycopg reads % inside literals too
        if code:
            text = _NAMED.sub(r"%(\1)s", text) if named else text.replace("?", "%s")
        parts.append(text)
    return "".join(parts)


def _code_only(sql: str, change) -> str:
    return "".join(change(text) if code else text for code, text in _segments(sql))


# --- migrations ----------------------------------------------------------------------------

_IDENTITY = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.IGNORECASE)
_TRIGGER = re.compile(
    r"^\s*CREATE\s+TRIGGER\s+(?P<name>\w+)\s+BEFORE\s+(?P<event>UPDATE|DELETE|INSERT)"
    r"(?:\s+OF\s+(?P<columns>[\w\s,]+?))?\s+ON\s+(?P<table>\w+)"
    r"(?:\s+WHEN\s+(?P<when>.+?))?"
    r"\s+BEGIN\s+SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*'(?P<message>(?:[^']|'')*)'\s*\)\s*;\s*END\s*;?\s*$",
    re.IGNORECASE | re.DOTALL)
_ALLOWED = re.compile(r"^\s*(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|CREATE\s+TABLE|ALTER\s+TABLE\s+\w+"
                      r"\s+(ADD|DROP|RENAME)\s+COLUMN|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b",
                      re.IGNORECASE)


def _types(text: str) -> str:
    text = _IDENTITY.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", text)
    return _WORD.sub(lambda m: _TYPES.get(m.group(0).upper(), m.group(0)), text)


def migration_statements(sql: str) -> list[str]:
    """One SQLite migration statement as the PostgreSQL statements that build the same thing."""
    stripped = sql.strip().rstrip(";").strip()
    if not stripped:
        return []
    trigger = _TRIGGER.match(sql)
    if trigger:
        return trigger_statements(trigger.groupdict())
    if re.match(r"^\s*CREATE\s+TRIGGER\b", sql, re.IGNORECASE):
        raise ValueError("this trigger is not in the one form the PostgreSQL translation "
                         f"understands (BEFORE ... BEGIN SELECT RAISE(ABORT, '...'); END): {stripped}")
    if not _ALLOWED.match(stripped):
        raise ValueError(f"a migration statement PostgreSQL cannot be given as it stands: {stripped}")
    if re.match(r"^\s*(CREATE\s+TABLE|ALTER\s+TABLE)", stripped, re.IGNORECASE):
        return [_code_only(stripped, _types)]
    return [stripped]


def trigger_statements(parts: dict[str, str | None]) -> list[str]:
    """A safeguard trigger as a plpgsql function and the row trigger that calls it."""
    name, table, event = parts["name"], parts["table"], str(parts["event"]).upper()
    message = parts["message"] or ""
    condition = " ".join((parts["when"] or "TRUE").split())
    columns = ", ".join(c.strip() for c in (parts["columns"] or "").split(",") if c.strip())
    returned = "OLD" if event == "DELETE" else "NEW"
    body = (f"BEGIN IF {condition} THEN RAISE EXCEPTION USING "
            f"ERRCODE = 'integrity_constraint_violation', MESSAGE = '{message}'; END IF; "
            f"RETURN {returned}; END;")
    of = f" OF {columns}" if columns else ""
    return [f"CREATE OR REPLACE FUNCTION {name}_guard() RETURNS trigger LANGUAGE plpgsql AS "
            f"$guard$ {body} $guard$",
            f"CREATE TRIGGER {name} BEFORE {event}{of} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION {name}_guard()"]


def trigger_fingerprint(definition: str, function_source: str) -> str:
    """A trigger as PostgreSQL reports it (pg_get_triggerdef and the function's source), with
    spacing evened out, to compare a live safeguard with what the migrations would make."""
    return " ".join(definition.split()) + " | " + " ".join(function_source.split())


def expected_fingerprint(sqlite_sql: str) -> str | None:
    """What trigger_fingerprint() reads for a safeguard the migrations made from this SQLite
    trigger; None if it is not one we translate."""
    match = _TRIGGER.match(sqlite_sql)
    if match is None:
        return None
    function, trigger = trigger_statements(match.groupdict())
    source = function.split("$guard$")[1]
    event = str(match["event"]).upper()
    columns = ", ".join(c.strip() for c in (match["columns"] or "").split(",") if c.strip())
    of = f" OF {columns}" if columns else ""
    definition = (f"CREATE TRIGGER {match['name']} BEFORE {event}{of} ON public.{match['table']} "
                  f"FOR EACH ROW EXECUTE FUNCTION {match['name']}_guard()")
    return trigger_fingerprint(definition, source)
