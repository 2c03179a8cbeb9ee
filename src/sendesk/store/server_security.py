"""Who may do what on the school server, enforced by PostgreSQL itself, so that a member of
staff who signs in with psql and their own password is refused what the app refuses them.

``install`` (run by the database's owner at ``server init`` and again, idempotently, at every
``server upgrade``) builds everything below from models/server_grants.py, the table of what
each permission of the matrix may do to each table:

* Three group roles per school database, ``sendesk_<database>_senco``, ``..._staff`` and
  ``..._admin``: named after the database, so that two schools on one cluster never share
  one (login names are cluster-wide, group roles are not shared). Each sendesk user is a
  login role that is a member of the groups for their roles; the users table says which, and
  only the owner's functions below change memberships.
* Grants: every privilege on every table, sequence and function is first taken back from
  everyone but the owner (PUBLIC, the groups, any login someone granted something by hand),
  then granted to the groups as the table says: whole tables, UPDATE of some columns only
  (the pupil list's summary), and row security where a permission covers some rows (a note's
  author, the monitoring register, the school's signing key). PUBLIC keeps nothing: not
  CONNECT or TEMP on the database, not CREATE or USAGE on the schema, not EXECUTE on a
  function. Identity columns need no sequence privileges, so nobody holds one.
* Functions, each SECURITY DEFINER with a fixed search_path, each checking its caller:
  ``sendesk_audit_append`` is the only way in to the audit log (it writes the entry under the
  session's own login, chained as store/audit.py chains them, and refuses an export, backup
  or log reading the login's roles do not allow); ``sendesk_create_login``,
  ``sendesk_sync_login`` and ``sendesk_set_password`` are how an active sendesk administrator
  manages logins without CREATEROLE, and only for this school's own logins (a role comment
  names the database that made it).
* The facts derived from pupils' pathways (store/derived_facts.py: the impact facts, each
  open pathway's plan) are written by no login: the rules call ``sendesk_rebuild_<facts>()``,
  ``sendesk_refresh_<facts>(bigint[])`` and ``sendesk_forget_deleted_<facts>(bigint[])``,
  owned by the owner, which recompute the rows from the records with the file's own SQL,
  taking the writers' lock first (so they always read what every other PC has committed). So
  whoever calls them, with whatever pupil ids, can only make the facts what the records say.
* A trigger keeps the pupils' summary columns to what the record says (store/pupil_summary.py),
  on a new pupil row as on a changed one: the SEN status part for logins that may not change
  SEN status, the next review and the list's flags for every login but the owner (they may
  rewrite the summary, the core does after a note, but only to the same answer).

``expected`` / ``live`` describe the same things as sets of lines, so that verify can name
every privilege the server holds that the matrix does not give (one granted by hand).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..models import server_grants
from ..models.roles import GRANTS, Role
from . import derived_facts, pupil_summary
from .database import Database
from .server_dialect import SCHEMA_VERSION_TABLE
from .server_write_lock import WRITE_LOCK

# What the rules do to each set of derived facts, and the arguments its function takes.
_FACTS_CALLS = (("rebuild", ""), ("refresh", "bigint[]"), ("forget_deleted", "bigint[]"))
# The functions the groups may call (everything else in the schema: no one but the owner).
# Every role's writes run the derived facts' rules, and a call can only make the facts true.
API = {
    "sendesk_user_id()": tuple(Role),
    "sendesk_audit_append(text, bigint, text, text, text, text, text)": tuple(Role),
    "sendesk_create_login(text, text)": (Role.ADMIN,),
    "sendesk_sync_login(text)": (Role.ADMIN,),
    "sendesk_set_password(text, text)": (Role.ADMIN,),
    **{f"{derived_facts.function(facts, what)}({arguments})": tuple(Role)
       for facts in derived_facts.EVERY_FACTS for what, arguments in _FACTS_CALLS},
}
_ROLE_COMMENT = "sendesk login for database "


def group_role(database: str, role: Role) -> str:
    """The group role of one sendesk role in one school's database (at most 63 characters)."""
    name = f"sendesk_{database}_{role.value}"
    if len(name) > 63:
        name = f"sendesk_{hashlib.sha256(database.encode()).hexdigest()[:16]}_{role.value}"
    return name


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _database(db: Database) -> str:
    return str(db.scalar("SELECT current_database()"))


def _is_owner_sql() -> str:
    return ("session_user = (SELECT pg_get_userbyid(datdba) FROM pg_database "
            "WHERE datname = current_database())")


def _is_admin_sql() -> str:
    return ("EXISTS (SELECT 1 FROM users WHERE username = session_user AND active = 1 "
            "AND ',' || roles || ',' LIKE '%,admin,%')")


def _member_sql(groups: Iterable[str]) -> str:
    tests = [f"pg_has_role(session_user, {_literal(g)}, 'MEMBER')" for g in groups]
    return "(" + " OR ".join(tests) + ")" if tests else "false"


# --- the functions --------------------------------------------------------------------------

def _functions(database: str) -> list[str]:
    group = {role: group_role(database, role) for role in Role}
    comment = _literal(_ROLE_COMMENT + database)
    checks = []
    for action in sorted(server_grants.AUDIT_ONLY):
        roles = server_grants.audit_roles(action) or frozenset()
        checks.append(f"WHEN {_literal(action)} THEN {_member_sql(group[r] for r in sorted(roles))}")
    allowed = "CASE p_action " + " ".join(checks) + " ELSE true END"
    not_admin = f"NOT ({_is_owner_sql()}) AND NOT {_is_admin_sql()}"
    ours = (f"EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = p_role AND "
            f"shobj_description(r.oid, 'pg_authid') = {comment})")
    sync_groups = "\n".join(
        f"    IF v_active AND ',' || v_roles || ',' LIKE '%,{role.value},%' THEN\n"
        f"        EXECUTE format('GRANT %I TO %I', {_literal(group[role])}, p_role);\n"
        f"    ELSE\n"
        f"        EXECUTE format('REVOKE %I FROM %I', {_literal(group[role])}, p_role);\n"
        f"    END IF;" for role in Role)
    refuse = ("RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
              "'only a sendesk administrator of this school may manage its logins'")
    header = ("LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$")
    return [
        # The signed-in person's users row, for row security (a plain reader of users).
        "CREATE OR REPLACE FUNCTION sendesk_user_id() RETURNS bigint LANGUAGE sql STABLE "
        "SET search_path = public, pg_temp AS $fn$ SELECT id FROM users WHERE username = "
        "session_user AND active = 1 $fn$",
        f"""
CREATE OR REPLACE FUNCTION sendesk_audit_append(p_at text, p_user_id bigint, p_username text,
    p_action text, p_target_type text, p_target_id text, p_detail text) RETURNS void
{header}
DECLARE
    v_user_id bigint; v_username text; v_prev text; v_hash text; v_count bigint;
BEGIN
    IF {_is_owner_sql()} THEN
        v_user_id := p_user_id; v_username := p_username;
    ELSE
        SELECT id, username INTO v_user_id, v_username FROM users
        WHERE username = session_user AND active = 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'only a sendesk user of this school may write to its audit log';
        END IF;
        IF p_username IS DISTINCT FROM v_username OR p_user_id IS DISTINCT FROM v_user_id THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'an audit entry can only be written under your own name';
        END IF;
        IF NOT ({allowed}) THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'your roles do not allow ' || p_action;
        END IF;
        -- What the app writes, so that an entry made by hand cannot break reading the log
        -- (or answering a subject access request) for good: a time, and a JSON object or none.
        BEGIN
            -- The form session.now_text writes: UTC, to the microsecond.
            IF p_at !~ ('^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}'
                        || '([.][0-9]{{1,6}})?[+]00:00$') THEN
                RAISE invalid_datetime_format;
            END IF;
            PERFORM p_at::timestamptz;
            IF p_detail IS NOT NULL AND jsonb_typeof(p_detail::jsonb) <> 'object' THEN
                RAISE invalid_text_representation;
            END IF;
        EXCEPTION WHEN invalid_text_representation OR invalid_datetime_format
                       OR datetime_field_overflow THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'your roles do not allow an audit entry that is not dated or '
                          'detailed as sendesk writes them';
        END;
    END IF;
    SELECT last_hash, count INTO v_prev, v_count FROM audit_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The audit log''s head record is missing from the database.';
    END IF;
    v_prev := COALESCE(NULLIF(v_prev, ''), repeat('0', 64));
    -- The same canonical JSON as store/audit.py: keys sorted, no spaces, text as it is.
    v_hash := encode(sha256(convert_to(v_prev || E'\\n' || '{{"action":'
        || COALESCE(to_json(p_action)::text, 'null') || ',"at":' || COALESCE(to_json(p_at)::text, 'null')
        || ',"detail":' || COALESCE(to_json(p_detail)::text, 'null')
        || ',"target_id":' || COALESCE(to_json(p_target_id)::text, 'null')
        || ',"target_type":' || COALESCE(to_json(p_target_type)::text, 'null')
        || ',"user_id":' || COALESCE(v_user_id::text, 'null')
        || ',"username":' || COALESCE(to_json(v_username)::text, 'null') || '}}', 'UTF8')), 'hex');
    -- The id is the head's count + 1, not the identity sequence: a sequence skips the values
    -- of rolled-back inserts and those cached before a crash, and verify reads a gap in ids as
    -- entries removed. The head row's lock above serialises appends, so ids stay contiguous.
    INSERT INTO audit_log (id, at, user_id, username, action, target_type, target_id, detail,
                           prev_hash, hash)
    VALUES (v_count + 1, p_at, v_user_id, v_username, p_action, p_target_type, p_target_id,
            p_detail, v_prev, v_hash);
    UPDATE audit_head SET count = count + 1, last_hash = v_hash WHERE id = 1;
END
$fn$""",
        f"""
CREATE OR REPLACE FUNCTION sendesk_sync_login(p_role text) RETURNS void
{header}
DECLARE
    v_active boolean; v_roles text;
BEGIN
    IF {not_admin} THEN {refuse}; END IF;
    SELECT active = 1, roles INTO v_active, v_roles FROM users WHERE username = p_role;
    IF NOT FOUND OR NOT {ours} THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = p_role || ' is not a login of this school';
    END IF;
{sync_groups}
    IF v_active THEN
        EXECUTE format('ALTER ROLE %I LOGIN', p_role);
    ELSE
        EXECUTE format('ALTER ROLE %I NOLOGIN', p_role);
    END IF;
END
$fn$""",
        f"""
CREATE OR REPLACE FUNCTION sendesk_create_login(p_role text, p_verifier text) RETURNS void
{header}
BEGIN
    IF {not_admin} THEN {refuse}; END IF;
    IF p_role !~ '^[a-z][a-z0-9._-]{{1,31}}$' OR p_verifier !~ '^SCRAM-SHA-256\\$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'not a login';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE username = p_role AND active = 1) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = p_role || ' is not a user of this school';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_role, p_verifier);
    EXECUTE format('COMMENT ON ROLE %I IS %L', p_role, {comment});
    PERFORM sendesk_sync_login(p_role);
END
$fn$""",
        f"""
CREATE OR REPLACE FUNCTION sendesk_set_password(p_role text, p_verifier text) RETURNS void
{header}
BEGIN
    IF {not_admin} THEN {refuse}; END IF;
    IF p_verifier !~ '^SCRAM-SHA-256\\$' OR NOT {ours}
       OR NOT EXISTS (SELECT 1 FROM users WHERE username = p_role AND active = 1) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = p_role || ' is not a login of this school';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_role, p_verifier);
END
$fn$""",
        _summary_guard(group),
        *(statement for facts in derived_facts.EVERY_FACTS for statement in _facts_functions(facts)),
    ]


def _facts_functions(facts: derived_facts.Facts) -> list[str]:
    """The owner's functions that rebuild, refresh or forget one set of derived facts, with
    the statements the file runs (store/derived_facts.py); p_pupils NULL forgets everyone's.

    The writers' lock first, as every write of the app's takes it: so the rows are worked out
    from what every other PC has committed, never from a snapshot a save is about to change.
    For the same reason only in READ COMMITTED (each statement sees the latest commits): a
    transaction opened REPEATABLE READ would read the records as they were when it began."""
    header = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$"
    begin = f"""BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'sendesk works out the derived facts only in a read committed transaction';
    END IF;
    PERFORM pg_advisory_xact_lock({WRITE_LOCK});"""

    def run(statements: list[str], indent: str = "    ") -> str:
        return "\n".join(f"{indent}{statement.strip()};" for statement in statements)

    members = "= ANY(p_pupils)"
    return [f"""
CREATE OR REPLACE FUNCTION {derived_facts.function(facts, 'rebuild')}() RETURNS void
{header}
{begin}
{run(derived_facts.rebuild_statements(facts))}
END
$fn$""", f"""
CREATE OR REPLACE FUNCTION {derived_facts.function(facts, 'refresh')}(p_pupils bigint[])
RETURNS void
{header}
{begin}
{run(derived_facts.refresh_statements(facts, members))}
END
$fn$""", f"""
CREATE OR REPLACE FUNCTION {derived_facts.function(facts, 'forget_deleted')}(p_pupils bigint[])
RETURNS void
{header}
{begin}
    IF p_pupils IS NULL THEN
{run(derived_facts.forget_statements(facts, None), "        ")}
    ELSE
{run(derived_facts.forget_statements(facts, members), "        ")}
    END IF;
END
$fn$"""]


def _summary_guard(group: dict[Role, str]) -> str:
    """The pupil list's summary may only say what the record says (store/pupil_summary.py):
    the SEN status part unless the login may change SEN status, the next review and the flags
    for everyone but the owner. So a login with a grant to rewrite the summary (every writer
    has one, the core refreshes it after each change) cannot use it to hide anything, nor one
    that may add pupils make one up on a new row (the app adds a pupil with an empty summary,
    which is what a record with no history gives).

    The expressions are correlated to ``pupils.id``; here that is NEW.id, on a new row as on a
    changed one, whose history the rest of the record holds."""
    from ..models.roles import Permission
    may = [group[r] for r in Role if GRANTS[r] & {Permission.CHANGE_SEN_STATUS,
                                                   Permission.EXPORT_TRANSFER}]

    def row(columns: dict[str, str], prefix: str) -> str:
        return "(" + ", ".join(f"{prefix}{column}" for column in columns) + ")"

    def check(columns: dict[str, str], who_may: str, message: str) -> str:
        return f"""
    IF (TG_OP = 'INSERT' OR {row(columns, 'NEW.')} IS DISTINCT FROM {row(columns, 'OLD.')})
       AND NOT ({who_may}) THEN
        SELECT {', '.join(columns.values())} INTO {', '.join('want_' + c for c in columns)}
            FROM (SELECT NEW.id AS id) AS pupils;
        IF {row(columns, 'NEW.')} IS DISTINCT FROM {row(columns, 'want_')} THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = {_literal(message)};
        END IF;
    END IF;"""

    owner = _is_owner_sql()
    declare = "\n".join(f"    want_{column} pupils.{column}%TYPE;" for column in pupil_summary.COLUMNS)
    status = check(pupil_summary.STATUS_COLUMNS, f"{owner} OR {_member_sql(may)}",
                   "your roles do not allow changing a pupil's SEN status or needs")
    derived = check(pupil_summary.WORKED_OUT_COLUMNS, owner,
                    "sendesk works out the next review and the list's flags from the record: "
                    "your roles do not allow setting them by hand")
    return f"""
CREATE OR REPLACE FUNCTION sendesk_pupils_sen_summary_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $fn$
DECLARE
{declare}
BEGIN{status}{derived}
    RETURN NEW;
END
$fn$"""


GUARD_TRIGGER = "sendesk_pupils_sen_summary"


# --- putting it in place ----------------------------------------------------------------------

def _grant_statements(database: str, tables: set[str]) -> list[str]:
    statements = []
    for role in Role:
        group = _quote(group_role(database, role))
        by_target: dict[tuple[str, str | None], list[str]] = {}
        for p in sorted(server_grants.privileges(role), key=lambda p: (p.table, p.privilege,
                                                                        p.column or "")):
            if p.table in tables:
                key = (p.table, p.privilege)
                by_target.setdefault(key, []).append(p.column or "")
        for (table, privilege), columns in sorted(by_target.items()):
            cols = [c for c in columns if c]
            what = f"{privilege} ({', '.join(cols)})" if cols else privilege
            statements.append(f"GRANT {what} ON {table} TO {group}")
    return statements


def _policy_statements(database: str, tables: set[str]) -> list[str]:
    statements = []
    for table in server_grants.row_secured_tables():
        if table not in tables:
            continue
        statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for role in Role:
            group = _quote(group_role(database, role))
            for (on, privilege), rows in sorted(server_grants.row_rules(role).items()):
                if on != table:
                    continue
                condition = rows or "true"
                name = _quote(f"{role.value}_{privilege.lower()}")
                clause = {"SELECT": f"USING ({condition})", "DELETE": f"USING ({condition})",
                          "INSERT": f"WITH CHECK ({condition})",
                          "UPDATE": f"USING ({condition}) WITH CHECK ({condition})"}[privilege]
                statements.append(f"CREATE POLICY {name} ON {table} FOR {privilege} TO {group} "
                                  f"{clause}")
    return statements


def install(db: Database) -> None:
    """Put the group roles, grants, policies, functions and trigger in place (as the owner,
    inside a transaction), taking back first whatever anyone was given outside them."""
    database = _database(db)
    tables = set(db.table_names())
    missing = sorted(set(server_grants.EVERY_TABLE) ^ tables)
    if missing:
        raise ValueError(f"models/server_grants.py and the schema disagree about: {missing}")
    groups = [group_role(database, role) for role in Role]
    for name in groups:
        if not db.scalar("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)):
            db.execute(f"CREATE ROLE {_quote(name)} NOLOGIN")
        db.execute(f"COMMENT ON ROLE {_quote(name)} IS {_literal('sendesk group for database ' + database)}")
    grantees = {str(r[0]) for r in db.query(
        "SELECT DISTINCT g.rolname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles g ON g.oid = a.grantee "
        "WHERE n.nspname = 'public' AND g.oid <> c.relowner "
        "UNION SELECT DISTINCT g.rolname FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(t.attacl) a "
        "JOIN pg_roles g ON g.oid = a.grantee WHERE n.nspname = 'public' AND g.oid <> c.relowner "
        "UNION SELECT DISTINCT g.rolname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "CROSS JOIN LATERAL aclexplode(p.proacl) a JOIN pg_roles g ON g.oid = a.grantee "
        "WHERE n.nspname = 'public' AND g.oid <> p.proowner "
        "UNION SELECT DISTINCT g.rolname FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a "
        "JOIN pg_roles g ON g.oid = a.grantee WHERE d.datname = current_database() "
        "AND g.oid <> d.datdba "
        "UNION SELECT DISTINCT g.rolname FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a "
        "JOIN pg_roles g ON g.oid = a.grantee WHERE n.nspname = 'public' AND g.oid <> n.nspowner")}
    everyone = ", ".join(["PUBLIC", *(_quote(g) for g in sorted(set(groups) | grantees))])
    quoted_db = _quote(database)
    script = [f"REVOKE ALL ON DATABASE {quoted_db} FROM {everyone}",
              f"REVOKE ALL ON SCHEMA public FROM {everyone}",
              f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {everyone}",
              f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {everyone}"]
    for table in sorted(tables):   # policies are rebuilt from the table
        for (policy,) in db.query("SELECT policyname FROM pg_policies WHERE schemaname = 'public' "
                                  "AND tablename = ?", (table,)):
            script.append(f"DROP POLICY {_quote(str(policy))} ON {table}")
        script.append(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    script += _functions(database)
    script += [f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {everyone}",
               f"DROP TRIGGER IF EXISTS {GUARD_TRIGGER} ON pupils",
               f"CREATE TRIGGER {GUARD_TRIGGER} BEFORE INSERT OR UPDATE OF "
               + ", ".join(pupil_summary.COLUMNS) + " ON pupils FOR EACH ROW EXECUTE FUNCTION "
               "sendesk_pupils_sen_summary_guard()"]
    all_groups = ", ".join(_quote(g) for g in groups)
    script += [f"GRANT CONNECT ON DATABASE {quoted_db} TO {all_groups}",
               f"GRANT USAGE ON SCHEMA public TO {all_groups}",
               f"GRANT SELECT ON {SCHEMA_VERSION_TABLE} TO {all_groups}"]
    for function, roles in API.items():
        script.append(f"GRANT EXECUTE ON FUNCTION {function} TO "
                      + ", ".join(_quote(group_role(database, r)) for r in roles))
    script += _grant_statements(database, tables)
    script += _policy_statements(database, tables)
    for statement in script:
        db.execute(statement)
    _seal_policies(db, database)


def _policy_fingerprint(qual: str | None, check: str | None) -> str:
    return hashlib.sha256(f"{qual}\n{check}".encode()).hexdigest()[:16]


def _seal_policies(db: Database, database: str) -> None:
    """Note on each policy the matrix's condition it was made from and a fingerprint of the
    server's own reading of it, so verify sees a policy altered by hand (ALTER POLICY keeps
    the name) without having to parse PostgreSQL's rewritten SQL."""
    wanted = {(table, f"{role.value}_{privilege.lower()}"): rows or "true"
              for role in Role for (table, privilege), rows in server_grants.row_rules(role).items()}
    for name, table, qual, check in db.query(
            "SELECT policyname, tablename, qual, with_check FROM pg_policies "
            "WHERE schemaname = 'public'"):
        condition = wanted.get((str(table), str(name)), "?")
        db.execute(f"COMMENT ON POLICY {_quote(str(name))} ON {table} IS "
                   f"{_literal(condition + ' #' + _policy_fingerprint(qual, check))}")


# --- what verify compares -------------------------------------------------------------------

def expected(db: Database) -> set[str]:
    """Every privilege, policy and membership the matrix says this school's server holds, as
    lines of text (the same form ``live`` reads them in)."""
    database = _database(db)
    tables = set(db.table_names())
    lines = set()
    for role in Role:
        group = group_role(database, role)
        lines.add(f"CONNECT on database {database} for {group}")
        lines.add(f"USAGE on schema public for {group}")
        lines.add(f"SELECT on {SCHEMA_VERSION_TABLE} for {group}")
        for p in server_grants.privileges(role):
            if p.table in tables:
                on = f"{p.table}.{p.column}" if p.column else p.table
                lines.add(f"{p.privilege} on {on} for {group}")
        for (table, privilege), rows in server_grants.row_rules(role).items():
            lines.add(f"policy {role.value}_{privilege.lower()} on {table} for {group}: "
                      f"{rows or 'true'}")
    for function, roles in API.items():
        for role in roles:
            lines.add(f"EXECUTE on function {function.split('(')[0]} for {group_role(database, role)}")
    for table in server_grants.row_secured_tables():
        lines.add(f"row security on {table}")
    for row in db.query("SELECT username, roles FROM users WHERE active = 1"):
        for role in Role:
            if f",{role.value}," in f",{row['roles']},":
                lines.add(f"member {row['username']} of {group_role(database, role)}")
    return lines


def live(db: Database) -> set[str]:
    """What the server actually holds (the owner's own rights left out: it owns everything)."""
    database = _database(db)
    lines = set()
    for who, what, on in db.query(
            "SELECT COALESCE(g.rolname, 'PUBLIC'), a.privilege_type, d.datname FROM pg_database d "
            "CROSS JOIN LATERAL aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) a "
            "LEFT JOIN pg_roles g ON g.oid = a.grantee "
            "WHERE d.datname = current_database() AND a.grantee <> d.datdba"):
        lines.add(f"{what} on database {on} for {who}")
    for who, what in db.query(
            "SELECT COALESCE(g.rolname, 'PUBLIC'), a.privilege_type FROM pg_namespace n "
            "CROSS JOIN LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a "
            "LEFT JOIN pg_roles g ON g.oid = a.grantee "
            "WHERE n.nspname = 'public' AND a.grantee <> n.nspowner"):
        lines.add(f"{what} on schema public for {who}")
    for who, what, on, kind in db.query(
            "SELECT COALESCE(g.rolname, 'PUBLIC'), a.privilege_type, c.relname, c.relkind "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee "
            "WHERE n.nspname = 'public' AND a.grantee <> c.relowner"):
        lines.add(f"{what} on {'sequence ' if kind == 'S' else ''}{on} for {who}")
    for who, what, on, column in db.query(
            "SELECT COALESCE(g.rolname, 'PUBLIC'), a.privilege_type, c.relname, t.attname "
            "FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL aclexplode(t.attacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee "
            "WHERE n.nspname = 'public' AND a.grantee <> c.relowner"):
        lines.add(f"{what} on {on}.{column} for {who}")
    for who, what, name in db.query(
            "SELECT COALESCE(g.rolname, 'PUBLIC'), a.privilege_type, p.proname FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "CROSS JOIN LATERAL aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a "
            "LEFT JOIN pg_roles g ON g.oid = a.grantee "
            "WHERE n.nspname = 'public' AND a.grantee <> p.proowner"):
        lines.add(f"{what} on function {name} for {who}")
    for name, table, roles, qual, check, note in db.query(
            "SELECT p.policyname, p.tablename, array_to_string(p.roles, ','), p.qual, "
            "p.with_check, obj_description(o.oid, 'pg_policy') FROM pg_policies p "
            "JOIN pg_policy o ON o.polname = p.policyname AND o.polrelid = "
            "(quote_ident(p.schemaname) || '.' || quote_ident(p.tablename))::regclass "
            "WHERE p.schemaname = 'public'"):
        condition, _, fingerprint = str(note or "").rpartition(" #")
        if not note or fingerprint != _policy_fingerprint(qual, check):
            condition = f"USING {qual} WITH CHECK {check} (changed by hand)"
        for who in str(roles).split(","):
            lines.add(f"policy {name} on {table} for {who}: {condition}")
    for (table,) in db.query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON "
                             "n.oid = c.relnamespace WHERE n.nspname = 'public' "
                             "AND c.relrowsecurity"):
        lines.add(f"row security on {table}")
    groups = [group_role(database, role) for role in Role]
    for member, group in db.query(
            "SELECT m.rolname, g.rolname FROM pg_auth_members am JOIN pg_roles m ON "
            "m.oid = am.member JOIN pg_roles g ON g.oid = am.roleid WHERE g.rolname IN "
            f"({', '.join('?' for _ in groups)})", groups):
        lines.add(f"member {member} of {group}")
    return lines


def problems(db: Database) -> list[str]:
    """Each privilege the server holds beyond the matrix, and each one missing from it."""
    want, have = expected(db), live(db)
    found = [f"extra privilege: {line}" for line in sorted(have - want)]
    found += [f"missing: {line}" for line in sorted(want - have)]
    inactive = db.query("SELECT u.username FROM users u JOIN pg_roles r ON r.rolname = u.username "
                        "WHERE u.active = 0 AND r.rolcanlogin")
    found += [f"extra privilege: {row[0]} was removed from sendesk but can still sign in"
              for row in inactive]
    return found
