"""Numbered schema migrations over PRAGMA user_version (on the school server, a row in the
sendesk_schema_version table).

Every pending step runs inside one exclusive transaction; if any step fails the database is
left exactly at its old version. A database from a newer sendesk is refused rather than
guessed at. Add a step by writing upgrade_version_N; never edit a step that has shipped.

One set of migrations serves both engines. A step is written in SQLite's SQL and runs its
statements through run_script(conn, ...); on PostgreSQL ``conn`` is the server's migration
target (store/server_migrations.py), whose execute() rewrites each statement by the rules in
store/server_dialect.py (types, identity columns, the safeguard triggers). So a step may use
only the forms that translation knows: CREATE TABLE, CREATE [UNIQUE] INDEX, ALTER TABLE ADD,
DROP or RENAME COLUMN, plain INSERT/UPDATE, and the BEFORE ... RAISE(ABORT, ...) trigger; tests/
test_server_store.py builds every step on a real server and compares the result with the file's
schema.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import sqlcipher3

from ..errors import NewerVersionError
from .day_numbers import day_number_sql

Step = Callable[[sqlcipher3.Connection], None]


def run_script(conn: sqlcipher3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    executescript() would commit first, which would break the all-or-nothing promise.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlcipher3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError("incomplete SQL statement in migration")


def upgrade_version_1(conn: sqlcipher3.Connection) -> None:
    """School identity, users and roles, and the append-only audit log."""
    run_script(conn, """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE users (
            id          INTEGER PRIMARY KEY,
            username    TEXT NOT NULL UNIQUE,
            full_name   TEXT NOT NULL,
            roles       TEXT NOT NULL,
            active      INTEGER NOT NULL DEFAULT 1,
            created_at  TEXT NOT NULL,
            created_by  INTEGER REFERENCES users(id),
            removed_at  TEXT
        );
        CREATE TABLE audit_log (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            at          TEXT NOT NULL,
            user_id     INTEGER,
            username    TEXT NOT NULL,
            action      TEXT NOT NULL,
            target_type TEXT,
            target_id   TEXT,
            detail      TEXT,
            prev_hash   TEXT NOT NULL,
            hash        TEXT NOT NULL
        );
        CREATE INDEX audit_target ON audit_log(target_type, target_id);
        CREATE TABLE audit_head (
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            count     INTEGER NOT NULL,
            last_hash TEXT NOT NULL
        );
        INSERT INTO audit_head (id, count, last_hash) VALUES (1, 0, '');
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
    """)


def upgrade_version_2(conn: sqlcipher3.Connection) -> None:
    """Pupils, contacts, consent, the SEN register and the other registers, short notes and
    parent notifications.

    Nothing is overwritten without trace: edits leave a row in field_changes, statuses, needs
    and register entries are periods with start and end dates, and leavers are archived. Dated
    records carry the date the event happened (set by the user) and entered_at (the clock).
    The pupils table also holds a summary of the registers (status, primary need, next review,
    flags), kept in step by sendesk.records.summary, so that the pupil list can filter 60,000
    pupils from one covering index without joining the history tables.
    """
    run_script(conn, """
        CREATE TABLE pupils (
            id                 INTEGER PRIMARY KEY,
            upn                TEXT NOT NULL UNIQUE,
            legal_surname      TEXT NOT NULL,
            legal_forename     TEXT NOT NULL,
            preferred_surname  TEXT,
            preferred_forename TEXT,
            dob                TEXT NOT NULL,
            gender             TEXT NOT NULL CHECK (gender IN ('F', 'M', 'U')),
            year_group         TEXT NOT NULL,
            year_rank          INTEGER NOT NULL,
            class_name         TEXT,
            admission_date     TEXT,
            leaving_date       TEXT,
            destination        TEXT,
            archived_at        TEXT,
            archived_by        INTEGER REFERENCES users(id),
            retain_until       TEXT,
            created_at         TEXT NOT NULL,
            created_by         INTEGER REFERENCES users(id),
            sort_key           TEXT NOT NULL,
            search_text        TEXT NOT NULL,
            sen_status         TEXT CHECK (sen_status IN ('E', 'K', 'N')),
            sen_since          TEXT,
            primary_need       TEXT,
            next_review        TEXT,
            flags              INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX pupils_list ON pupils(sort_key, search_text, sen_status, sen_since,
            primary_need, year_rank, class_name, flags, next_review) WHERE archived_at IS NULL;
        CREATE INDEX pupils_by_status ON pupils(sen_status, sort_key, search_text, sen_since,
            primary_need)
            WHERE archived_at IS NULL AND sen_status IS NOT NULL;
        CREATE INDEX pupils_by_need ON pupils(primary_need, sort_key, search_text)
            WHERE archived_at IS NULL AND primary_need IS NOT NULL;
        CREATE INDEX pupils_by_year ON pupils(year_rank, sort_key, search_text)
            WHERE archived_at IS NULL;
        CREATE INDEX pupils_by_review ON pupils(next_review, sort_key)
            WHERE archived_at IS NULL AND next_review IS NOT NULL;

        CREATE TABLE field_changes (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            record_type TEXT NOT NULL,
            record_id   INTEGER NOT NULL,
            field       TEXT NOT NULL,
            old_value   TEXT,
            new_value   TEXT,
            changed_at  TEXT NOT NULL,
            changed_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX field_changes_pupil ON field_changes(pupil_id, changed_at);

        CREATE TABLE contacts (
            id                      INTEGER PRIMARY KEY,
            pupil_id                INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            name                    TEXT NOT NULL,
            relationship            TEXT NOT NULL,
            parental_responsibility INTEGER NOT NULL,
            address                 TEXT,
            phone                   TEXT,
            email                   TEXT,
            do_not_disclose_address INTEGER NOT NULL DEFAULT 0,
            ended_on                TEXT,
            entered_at              TEXT NOT NULL,
            entered_by              INTEGER REFERENCES users(id)
        );
        CREATE INDEX contacts_pupil ON contacts(pupil_id);

        CREATE TABLE consents (
            id           INTEGER PRIMARY KEY,
            pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            contact_id   INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
            given_by     TEXT NOT NULL,
            giver_kind   TEXT NOT NULL,
            given_on     TEXT NOT NULL,
            scope        TEXT NOT NULL,
            withdrawn_on TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX consents_pupil ON consents(pupil_id);

        CREATE TABLE sen_status_history (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            status      TEXT NOT NULL CHECK (status IN ('E', 'K', 'N')),
            start_date  TEXT NOT NULL,
            end_date    TEXT,
            reason      TEXT NOT NULL DEFAULT '',
            changed_by  INTEGER REFERENCES users(id),
            entered_at  TEXT NOT NULL
        );
        CREATE INDEX sen_status_pupil ON sen_status_history(pupil_id, start_date);
        CREATE UNIQUE INDEX sen_status_one_open ON sen_status_history(pupil_id)
            WHERE end_date IS NULL;

        CREATE TABLE sen_needs (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            code        TEXT NOT NULL,
            rank        INTEGER NOT NULL CHECK (rank >= 1),
            start_date  TEXT NOT NULL,
            end_date    TEXT,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX sen_needs_pupil ON sen_needs(pupil_id, start_date);
        CREATE UNIQUE INDEX sen_needs_open_rank ON sen_needs(pupil_id, rank) WHERE end_date IS NULL;
        CREATE UNIQUE INDEX sen_needs_open_code ON sen_needs(pupil_id, code) WHERE end_date IS NULL;

        CREATE TABLE register_entries (
            id                INTEGER PRIMARY KEY,
            pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            register          TEXT NOT NULL
                              CHECK (register IN ('medical', 'eal', 'looked_after', 'monitoring')),
            start_date        TEXT NOT NULL,
            end_date          TEXT,
            review_date       TEXT,
            details           TEXT NOT NULL DEFAULT '',
            has_ihp           INTEGER NOT NULL DEFAULT 0,
            first_language    TEXT,
            pep_date          TEXT,
            responsible_la    TEXT,
            protected_address TEXT,
            entered_at        TEXT NOT NULL,
            entered_by        INTEGER REFERENCES users(id)
        );
        CREATE INDEX register_entries_pupil ON register_entries(pupil_id);
        CREATE UNIQUE INDEX register_entries_one_open ON register_entries(pupil_id, register)
            WHERE end_date IS NULL;

        CREATE TABLE short_notes (
            id                INTEGER PRIMARY KEY,
            pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            event_date        TEXT NOT NULL,
            author_id         INTEGER NOT NULL REFERENCES users(id),
            concern           TEXT NOT NULL,
            parent_discussion TEXT NOT NULL DEFAULT '',
            agreed_actions    TEXT NOT NULL DEFAULT '',
            review_date       TEXT,
            reviewed_on       TEXT,
            entered_at        TEXT NOT NULL
        );
        CREATE INDEX short_notes_pupil ON short_notes(pupil_id, event_date);

        CREATE TABLE parent_notifications_due (
            id               INTEGER PRIMARY KEY,
            pupil_id         INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            status_change_id INTEGER NOT NULL REFERENCES sen_status_history(id) ON DELETE CASCADE,
            change           TEXT NOT NULL CHECK (change IN ('added', 'removed')),
            due_since        TEXT NOT NULL,
            created_at       TEXT NOT NULL,
            cleared_at       TEXT
        );
        CREATE INDEX parent_notifications_due_pupil ON parent_notifications_due(pupil_id);
        CREATE INDEX parent_notifications_open ON parent_notifications_due(due_since)
            WHERE cleared_at IS NULL;

        CREATE TABLE parent_notifications (
            id          INTEGER PRIMARY KEY,
            due_id      INTEGER NOT NULL REFERENCES parent_notifications_due(id) ON DELETE CASCADE,
            contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            recipient   TEXT NOT NULL,
            sent_on     TEXT NOT NULL,
            method      TEXT NOT NULL,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX parent_notifications_by_due ON parent_notifications(due_id);
    """)


def upgrade_version_3(conn: sqlcipher3.Connection) -> None:
    """The graduated approach: SEND pathways of numbered Assess-Plan-Do-Review cycles, support
    plans with outcomes and costed provision, the delivery log, reviews and their decisions,
    and specialists' involvement with their visits, reports and recommendations.

    Dated rows carry the day the event happened (set by the user) and entered_at (the clock).
    A finished assessment, an agreed plan and a held review are fixed: triggers refuse any
    change to their content, so a correction is a new cycle, never a silent overwrite. Draft
    rows that are taken out are marked removed, not deleted. Specialists' reports are stored
    in the (encrypted) database itself, at most 10 MB each.
    """
    run_script(conn, """
        CREATE TABLE send_pathways (
            id             INTEGER PRIMARY KEY,
            pupil_id       INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            stage          TEXT NOT NULL CHECK (stage IN ('targeted', 'specialist')),
            status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            opened_on      TEXT NOT NULL,
            closed_on      TEXT,
            close_decision TEXT,
            entered_at     TEXT NOT NULL,
            entered_by     INTEGER REFERENCES users(id),
            closed_at      TEXT,
            closed_by      INTEGER REFERENCES users(id)
        );
        CREATE INDEX send_pathways_pupil ON send_pathways(pupil_id, opened_on);
        CREATE UNIQUE INDEX send_pathways_one_open ON send_pathways(pupil_id) WHERE status = 'open';

        CREATE TABLE apdr_cycles (
            id          INTEGER PRIMARY KEY,
            pathway_id  INTEGER NOT NULL REFERENCES send_pathways(id) ON DELETE CASCADE,
            number      INTEGER NOT NULL CHECK (number >= 1),
            stage       TEXT NOT NULL CHECK (stage IN ('targeted', 'specialist')),
            started_on  TEXT NOT NULL,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id),
            UNIQUE (pathway_id, number)
        );

        CREATE TABLE apdr_assessments (
            id            INTEGER PRIMARY KEY,
            cycle_id      INTEGER NOT NULL UNIQUE REFERENCES apdr_cycles(id) ON DELETE CASCADE,
            assessed_on   TEXT,
            parent_views  TEXT NOT NULL DEFAULT '',
            child_views   TEXT NOT NULL DEFAULT '',
            strengths     TEXT NOT NULL DEFAULT '',
            needs         TEXT NOT NULL DEFAULT '',
            primary_need  TEXT,
            entered_at    TEXT NOT NULL,
            entered_by    INTEGER REFERENCES users(id),
            updated_at    TEXT,
            updated_by    INTEGER REFERENCES users(id),
            completed_at  TEXT,
            completed_by  INTEGER REFERENCES users(id)
        );
        CREATE TABLE apdr_assessment_tools (
            id             INTEGER PRIMARY KEY,
            assessment_id  INTEGER NOT NULL REFERENCES apdr_assessments(id) ON DELETE CASCADE,
            position       INTEGER NOT NULL,
            tool           TEXT NOT NULL,
            used_on        TEXT,
            result         TEXT NOT NULL DEFAULT '',
            entered_at     TEXT NOT NULL,
            entered_by     INTEGER REFERENCES users(id),
            removed_at     TEXT,
            removed_by     INTEGER REFERENCES users(id)
        );
        CREATE INDEX apdr_assessment_tools_of ON apdr_assessment_tools(assessment_id);

        CREATE TABLE apdr_plans (
            id           INTEGER PRIMARY KEY,
            cycle_id     INTEGER NOT NULL UNIQUE REFERENCES apdr_cycles(id) ON DELETE CASCADE,
            aspirations  TEXT NOT NULL DEFAULT '',
            plan_date    TEXT,
            review_date  TEXT,
            shared_on    TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            updated_at   TEXT,
            updated_by   INTEGER REFERENCES users(id),
            agreed_at    TEXT,
            agreed_by    INTEGER REFERENCES users(id)
        );
        CREATE INDEX apdr_plans_review ON apdr_plans(review_date) WHERE agreed_at IS NOT NULL;

        CREATE TABLE apdr_outcomes (
            id           INTEGER PRIMARY KEY,
            plan_id      INTEGER NOT NULL REFERENCES apdr_plans(id) ON DELETE CASCADE,
            position     INTEGER NOT NULL,
            text         TEXT NOT NULL,
            measure      TEXT NOT NULL DEFAULT '',
            target_date  TEXT,
            area         TEXT,
            pfa_area     TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            removed_at   TEXT,
            removed_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX apdr_outcomes_of ON apdr_outcomes(plan_id);

        CREATE TABLE specialist_involvements (
            id              INTEGER PRIMARY KEY,
            pupil_id        INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            service         TEXT NOT NULL,
            service_detail  TEXT,
            professional    TEXT,
            referral_date   TEXT NOT NULL,
            reason          TEXT NOT NULL DEFAULT '',
            consent         TEXT NOT NULL DEFAULT 'pending'
                            CHECK (consent IN ('pending', 'given', 'refused')),
            consent_date    TEXT,
            consent_from    TEXT,
            ended_on        TEXT,
            entered_at      TEXT NOT NULL,
            entered_by      INTEGER REFERENCES users(id)
        );
        CREATE INDEX specialist_involvements_pupil ON specialist_involvements(pupil_id);

        CREATE TABLE specialist_visits (
            id              INTEGER PRIMARY KEY,
            involvement_id  INTEGER NOT NULL REFERENCES specialist_involvements(id) ON DELETE CASCADE,
            visit_date      TEXT NOT NULL,
            notes           TEXT NOT NULL DEFAULT '',
            entered_at      TEXT NOT NULL,
            entered_by      INTEGER REFERENCES users(id)
        );
        CREATE INDEX specialist_visits_of ON specialist_visits(involvement_id);

        CREATE TABLE specialist_reports (
            id              INTEGER PRIMARY KEY,
            involvement_id  INTEGER NOT NULL REFERENCES specialist_involvements(id) ON DELETE CASCADE,
            title           TEXT NOT NULL,
            report_date     TEXT NOT NULL,
            filename        TEXT NOT NULL,
            media_type      TEXT NOT NULL,
            size            INTEGER NOT NULL,
            sha256          TEXT NOT NULL,
            content         BLOB NOT NULL CHECK (length(content) <= 10485760),
            entered_at      TEXT NOT NULL,
            entered_by      INTEGER REFERENCES users(id)
        );
        CREATE INDEX specialist_reports_of ON specialist_reports(involvement_id);

        CREATE TABLE specialist_recommendations (
            id                 INTEGER PRIMARY KEY,
            involvement_id     INTEGER NOT NULL REFERENCES specialist_involvements(id) ON DELETE CASCADE,
            report_id          INTEGER REFERENCES specialist_reports(id) ON DELETE SET NULL,
            text               TEXT NOT NULL,
            recommended_on     TEXT NOT NULL,
            status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'not_adopted')),
            not_adopted_reason TEXT,
            decided_at         TEXT,
            decided_by         INTEGER REFERENCES users(id),
            entered_at         TEXT NOT NULL,
            entered_by         INTEGER REFERENCES users(id)
        );
        CREATE INDEX specialist_recommendations_of ON specialist_recommendations(involvement_id);

        CREATE TABLE apdr_provision_items (
            id                 INTEGER PRIMARY KEY,
            plan_id            INTEGER NOT NULL REFERENCES apdr_plans(id) ON DELETE CASCADE,
            position           INTEGER NOT NULL,
            description        TEXT NOT NULL,
            area               TEXT,
            delivered_by       TEXT NOT NULL DEFAULT '',
            group_size         INTEGER NOT NULL CHECK (group_size >= 1),
            sessions_per_week  REAL NOT NULL CHECK (sessions_per_week >= 0),
            minutes            INTEGER NOT NULL CHECK (minutes >= 0),
            weeks              INTEGER NOT NULL CHECK (weeks BETWEEN 1 AND 52),
            cost_basis         TEXT NOT NULL CHECK (cost_basis IN ('hour', 'session', 'year')),
            rate_pence         INTEGER NOT NULL CHECK (rate_pence >= 0),
            recommendation_id  INTEGER REFERENCES specialist_recommendations(id) ON DELETE SET NULL,
            started_on         TEXT,
            ended_on           TEXT,
            end_reason         TEXT,
            entered_at         TEXT NOT NULL,
            entered_by         INTEGER REFERENCES users(id),
            removed_at         TEXT,
            removed_by         INTEGER REFERENCES users(id)
        );
        CREATE INDEX apdr_provision_items_of ON apdr_provision_items(plan_id);
        CREATE INDEX apdr_provision_items_recommendation ON apdr_provision_items(recommendation_id);

        CREATE TABLE apdr_delivery_log (
            id                INTEGER PRIMARY KEY,
            item_id           INTEGER NOT NULL REFERENCES apdr_provision_items(id) ON DELETE CASCADE,
            delivered_on      TEXT NOT NULL,
            delivered         INTEGER NOT NULL CHECK (delivered IN (0, 1)),
            note              TEXT NOT NULL DEFAULT '',
            entered_at        TEXT NOT NULL,
            entered_by        INTEGER REFERENCES users(id),
            withdrawn_at      TEXT,
            withdrawn_by      INTEGER REFERENCES users(id),
            withdrawn_reason  TEXT
        );
        CREATE INDEX apdr_delivery_log_item ON apdr_delivery_log(item_id, delivered_on);

        CREATE TABLE apdr_reviews (
            id                    INTEGER PRIMARY KEY,
            cycle_id              INTEGER NOT NULL UNIQUE REFERENCES apdr_cycles(id) ON DELETE CASCADE,
            held_on               TEXT,
            attendees             TEXT NOT NULL DEFAULT '',
            child_views           TEXT NOT NULL DEFAULT '',
            parent_views          TEXT NOT NULL DEFAULT '',
            staff_views           TEXT NOT NULL DEFAULT '',
            at_risk_of_exclusion  INTEGER NOT NULL DEFAULT 0,
            decision              TEXT,
            decision_notes        TEXT NOT NULL DEFAULT '',
            entered_at            TEXT NOT NULL,
            entered_by            INTEGER REFERENCES users(id),
            updated_at            TEXT,
            updated_by            INTEGER REFERENCES users(id),
            completed_at          TEXT,
            completed_by          INTEGER REFERENCES users(id)
        );
        CREATE TABLE apdr_review_progress (
            review_id   INTEGER NOT NULL REFERENCES apdr_reviews(id) ON DELETE CASCADE,
            outcome_id  INTEGER NOT NULL REFERENCES apdr_outcomes(id) ON DELETE CASCADE,
            progress    TEXT CHECK (progress IN ('achieved', 'partly', 'not_yet')),
            comment     TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (review_id, outcome_id)
        );
        CREATE TABLE apdr_review_specialist_views (
            review_id       INTEGER NOT NULL REFERENCES apdr_reviews(id) ON DELETE CASCADE,
            involvement_id  INTEGER NOT NULL REFERENCES specialist_involvements(id) ON DELETE CASCADE,
            view            TEXT NOT NULL DEFAULT '',
            given_as        TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (review_id, involvement_id)
        );

        CREATE TRIGGER apdr_assessments_fixed BEFORE UPDATE ON apdr_assessments
            WHEN OLD.completed_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'a finished assessment cannot be changed'); END;
        CREATE TRIGGER apdr_assessment_tools_fixed BEFORE UPDATE ON apdr_assessment_tools
            WHEN (SELECT completed_at FROM apdr_assessments WHERE id = OLD.assessment_id) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'a finished assessment cannot be changed'); END;
        CREATE TRIGGER apdr_plans_fixed BEFORE UPDATE OF aspirations, plan_date, review_date,
            agreed_at, agreed_by, cycle_id ON apdr_plans
            WHEN OLD.agreed_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'an agreed plan cannot be changed'); END;
        CREATE TRIGGER apdr_outcomes_fixed BEFORE UPDATE ON apdr_outcomes
            WHEN (SELECT agreed_at FROM apdr_plans WHERE id = OLD.plan_id) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'an agreed plan cannot be changed'); END;
        CREATE TRIGGER apdr_provision_items_fixed BEFORE UPDATE OF plan_id, description, area,
            delivered_by, group_size, sessions_per_week, minutes, weeks, cost_basis, rate_pence,
            recommendation_id, started_on, removed_at ON apdr_provision_items
            WHEN (SELECT agreed_at FROM apdr_plans WHERE id = OLD.plan_id) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'an agreed plan cannot be changed'); END;
        CREATE TRIGGER apdr_reviews_fixed BEFORE UPDATE ON apdr_reviews
            WHEN OLD.completed_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'a held review cannot be changed'); END;
        CREATE TRIGGER apdr_review_progress_fixed BEFORE UPDATE ON apdr_review_progress
            WHEN (SELECT completed_at FROM apdr_reviews WHERE id = OLD.review_id) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'a held review cannot be changed'); END;
        CREATE TRIGGER specialist_reports_fixed BEFORE UPDATE ON specialist_reports
            BEGIN SELECT RAISE(ABORT, 'a stored report cannot be changed'); END;
        CREATE TRIGGER apdr_delivery_log_fixed BEFORE UPDATE OF item_id, delivered_on, delivered,
            note, entered_at, entered_by ON apdr_delivery_log
            BEGIN SELECT RAISE(ABORT, 'a delivery log entry cannot be changed; withdraw it'); END;
    """)


def upgrade_version_4(conn: sqlcipher3.Connection) -> None:
    """Runs of the initial concerns flowchart: saved part-way (a draft, resumable) or finished.

    A finished run keeps the flowchart's id and version and every question and answer as worded
    at the time, so it still reads correctly after the local authority changes its flowchart;
    it links to the short note, register entry or SEN status change it made. One draft per
    pupil at most; finished runs and their answers cannot be updated.
    """
    run_script(conn, """
        CREATE TABLE concern_runs (
            id                INTEGER PRIMARY KEY,
            pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            flowchart_id      TEXT NOT NULL,
            flowchart_version TEXT NOT NULL,
            flowchart_title   TEXT NOT NULL,
            flowchart_digest  TEXT NOT NULL,
            status            TEXT NOT NULL CHECK (status IN ('draft', 'finished')),
            draft_state       TEXT,
            outcome_id        TEXT,
            outcome_kind      TEXT CHECK (outcome_kind IN ('monitoring', 'pathway', 'sen_support')),
            outcome_title     TEXT,
            outcome_reason    TEXT,
            pathway           TEXT,
            actions           TEXT,
            discussion        TEXT,
            area              TEXT,
            need_code         TEXT,
            discussion_date   TEXT,
            review_date       TEXT,
            note_id           INTEGER REFERENCES short_notes(id),
            register_entry_id INTEGER REFERENCES register_entries(id),
            status_change_id  INTEGER REFERENCES sen_status_history(id),
            started_at        TEXT NOT NULL,
            started_by        INTEGER REFERENCES users(id),
            updated_at        TEXT NOT NULL,
            updated_by        INTEGER REFERENCES users(id),
            finished_at       TEXT,
            finished_by       INTEGER REFERENCES users(id),
            CHECK ((status = 'draft') = (draft_state IS NOT NULL)),
            CHECK (status = 'draft' OR (outcome_id IS NOT NULL AND outcome_kind IS NOT NULL
                   AND discussion_date IS NOT NULL AND review_date IS NOT NULL
                   AND finished_at IS NOT NULL))
        );
        CREATE INDEX concern_runs_pupil ON concern_runs(pupil_id, status);
        CREATE UNIQUE INDEX concern_runs_one_draft ON concern_runs(pupil_id) WHERE status = 'draft';
        CREATE TRIGGER concern_runs_finished_fixed BEFORE UPDATE ON concern_runs
            WHEN OLD.status = 'finished'
            BEGIN SELECT RAISE(ABORT, 'a finished flowchart record cannot be changed'); END;

        CREATE TABLE concern_answers (
            run_id    INTEGER NOT NULL REFERENCES concern_runs(id) ON DELETE CASCADE,
            position  INTEGER NOT NULL CHECK (position >= 1),
            node_id   TEXT NOT NULL,
            section   TEXT,
            question  TEXT NOT NULL,
            answer_id TEXT NOT NULL,
            answer    TEXT NOT NULL,
            comment   TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (run_id, position)
        );
        CREATE TRIGGER concern_answers_fixed BEFORE UPDATE ON concern_answers
            BEGIN SELECT RAISE(ABORT, 'a finished flowchart record cannot be changed'); END;
    """)


def upgrade_version_5(conn: sqlcipher3.Connection) -> None:
    """EHC needs assessment requests and EHC plans, the readiness checklist, and the school's
    own term dates.

    The SENCO's checklist answers are one row per pupil and question (changes go to the change
    trail); an exception that lets a request skip APDR cycles is kept with its reason and, when
    withdrawn, stays on record. Plans hold long-term outcomes broken into shorter-term steps and
    one row per annual review; next_review_by is the date the next review meeting should be
    held, worked out by the EHC rules (it depends on the term dates and the pupil's year) and
    kept here so the pupil list can show it. Term dates are six half-terms per school year
    (first and last teaching day of each); years without rows use England's default dates.
    The pupil list's next review now includes agreed APDR plans' review dates.
    """
    run_script(conn, """
        CREATE TABLE school_terms (
            school_year  INTEGER NOT NULL,
            position     INTEGER NOT NULL CHECK (position BETWEEN 0 AND 5),
            name         TEXT NOT NULL,
            starts_on    TEXT NOT NULL,
            ends_on      TEXT NOT NULL CHECK (ends_on >= starts_on),
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            PRIMARY KEY (school_year, position)
        );

        CREATE TABLE ehcna_checklist (
            pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            question     TEXT NOT NULL,
            answer       INTEGER CHECK (answer IN (0, 1)),
            note         TEXT NOT NULL DEFAULT '',
            answered_on  TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            updated_at   TEXT,
            updated_by   INTEGER REFERENCES users(id),
            PRIMARY KEY (pupil_id, question)
        );

        CREATE TABLE ehcna_exceptions (
            id               INTEGER PRIMARY KEY,
            pupil_id         INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            kind             TEXT NOT NULL CHECK (kind IN ('sudden_change', 'newly_arrived',
                                                           'not_safe_in_mainstream')),
            reason           TEXT NOT NULL,
            recorded_on      TEXT NOT NULL,
            entered_at       TEXT NOT NULL,
            entered_by       INTEGER REFERENCES users(id),
            withdrawn_at     TEXT,
            withdrawn_by     INTEGER REFERENCES users(id),
            withdrawn_reason TEXT
        );
        CREATE UNIQUE INDEX ehcna_exceptions_one ON ehcna_exceptions(pupil_id)
            WHERE withdrawn_at IS NULL;

        CREATE TABLE ehcna_requests (
            id               INTEGER PRIMARY KEY,
            pupil_id         INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            local_authority  TEXT NOT NULL,
            consent_on       TEXT,
            consent_from     TEXT,
            head_name        TEXT,
            head_signed_on   TEXT,
            submitted_on     TEXT,
            decision         TEXT CHECK (decision IN ('assess', 'not_assess')),
            decision_on      TEXT,
            plan_decision    TEXT CHECK (plan_decision IN ('issue', 'not_issue')),
            draft_on         TEXT,
            final_on         TEXT,
            withdrawn_on     TEXT,
            notes            TEXT NOT NULL DEFAULT '',
            entered_at       TEXT NOT NULL,
            entered_by       INTEGER REFERENCES users(id),
            updated_at       TEXT,
            updated_by       INTEGER REFERENCES users(id)
        );
        CREATE INDEX ehcna_requests_pupil ON ehcna_requests(pupil_id);

        CREATE TABLE ehc_plans (
            id                  INTEGER PRIMARY KEY,
            pupil_id            INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            request_id          INTEGER REFERENCES ehcna_requests(id) ON DELETE SET NULL,
            issued_on           TEXT NOT NULL,
            local_authority     TEXT NOT NULL,
            caseworker          TEXT NOT NULL DEFAULT '',
            caseworker_contact  TEXT NOT NULL DEFAULT '',
            ceased_on           TEXT,
            ceased_reason       TEXT,
            next_review_by      TEXT,
            entered_at          TEXT NOT NULL,
            entered_by          INTEGER REFERENCES users(id),
            updated_at          TEXT,
            updated_by          INTEGER REFERENCES users(id)
        );
        CREATE INDEX ehc_plans_pupil ON ehc_plans(pupil_id);
        CREATE UNIQUE INDEX ehc_plans_one_current ON ehc_plans(pupil_id) WHERE ceased_on IS NULL;

        CREATE TABLE ehc_outcomes (
            id          INTEGER PRIMARY KEY,
            plan_id     INTEGER NOT NULL REFERENCES ehc_plans(id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            text        TEXT NOT NULL,
            pfa_area    TEXT,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id),
            removed_at  TEXT,
            removed_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX ehc_outcomes_of ON ehc_outcomes(plan_id);

        CREATE TABLE ehc_outcome_steps (
            id           INTEGER PRIMARY KEY,
            outcome_id   INTEGER NOT NULL REFERENCES ehc_outcomes(id) ON DELETE CASCADE,
            position     INTEGER NOT NULL,
            text         TEXT NOT NULL,
            target_date  TEXT,
            achieved_on  TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            removed_at   TEXT,
            removed_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX ehc_outcome_steps_of ON ehc_outcome_steps(outcome_id);

        CREATE TABLE ehc_reviews (
            id                   INTEGER PRIMARY KEY,
            plan_id              INTEGER NOT NULL REFERENCES ehc_plans(id) ON DELETE CASCADE,
            meeting_on           TEXT NOT NULL,
            invitations_sent_on  TEXT,
            held_on              TEXT,
            recommendation       TEXT CHECK (recommendation IN ('maintain', 'amend', 'cease')),
            pfa_discussed        INTEGER NOT NULL DEFAULT 0,
            notes                TEXT NOT NULL DEFAULT '',
            report_sent_on       TEXT,
            entered_at           TEXT NOT NULL,
            entered_by           INTEGER REFERENCES users(id),
            updated_at           TEXT,
            updated_by           INTEGER REFERENCES users(id)
        );
        CREATE INDEX ehc_reviews_of ON ehc_reviews(plan_id);
        CREATE UNIQUE INDEX ehc_reviews_one_pending ON ehc_reviews(plan_id) WHERE held_on IS NULL;

        UPDATE pupils SET next_review = (SELECT min(due) FROM (
            SELECT pupils.next_review AS due
            UNION ALL
            SELECT pl.review_date FROM apdr_plans pl JOIN apdr_cycles c ON c.id = pl.cycle_id
            JOIN send_pathways w ON w.id = c.pathway_id
            WHERE w.pupil_id = pupils.id AND w.status = 'open' AND pl.agreed_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM apdr_reviews r WHERE r.cycle_id = c.id
                            AND r.completed_at IS NOT NULL)) AS dues);
    """)


def upgrade_version_6(conn: sqlcipher3.Connection) -> None:
    """Records transfers: packages sent (with their deadline and acknowledgement) and received,
    the signed scan of a paper acknowledgement form, and the signing keys of schools we have
    received from, so a package later signed by a different key is noticed.

    A transfer row keeps what was sent, to whom, the package's fingerprint, by whom and when;
    the pupil's record is archived in the same transaction. Deleting a pupil after retention
    deletes their transfer rows with them.
    """
    run_script(conn, """
        CREATE TABLE transfers (
            id                 INTEGER PRIMARY KEY,
            direction          TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
            package_id         TEXT NOT NULL,
            pupil_id           INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            upn                TEXT NOT NULL,
            school_name        TEXT NOT NULL,
            school_urn         TEXT,
            school_la          TEXT,
            school_estab       TEXT,
            school_contact     TEXT,
            school_key         TEXT,
            manifest_sha256    TEXT NOT NULL,
            items              TEXT NOT NULL,
            stripped           TEXT NOT NULL DEFAULT '[]',
            leaving_date       TEXT,
            deadline           TEXT,
            status             TEXT NOT NULL
                               CHECK (status IN ('awaiting acknowledgement', 'acknowledged',
                                                 'received')),
            happened_at        TEXT NOT NULL,
            done_by            INTEGER REFERENCES users(id),
            acknowledged_at    TEXT,
            acknowledged_by    TEXT,
            receipt            TEXT,
            closed_at          TEXT,
            closed_by          INTEGER REFERENCES users(id),
            UNIQUE (direction, package_id)
        );
        CREATE INDEX transfers_pupil ON transfers(pupil_id);
        CREATE INDEX transfers_open ON transfers(deadline) WHERE status = 'awaiting acknowledgement';

        CREATE TABLE transfer_scans (
            id           INTEGER PRIMARY KEY,
            transfer_id  INTEGER NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
            filename     TEXT NOT NULL,
            media_type   TEXT NOT NULL,
            size         INTEGER NOT NULL,
            sha256       TEXT NOT NULL,
            content      BLOB NOT NULL CHECK (length(content) <= 10485760),
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX transfer_scans_of ON transfer_scans(transfer_id);
        CREATE TRIGGER transfer_scans_fixed BEFORE UPDATE ON transfer_scans
            BEGIN SELECT RAISE(ABORT, 'a stored scan cannot be changed'); END;

        CREATE TABLE known_senders (
            school_ref   TEXT PRIMARY KEY,
            school_name  TEXT NOT NULL,
            public_key   TEXT NOT NULL,
            first_seen   TEXT NOT NULL,
            recorded_by  INTEGER REFERENCES users(id)
        );
    """)


def upgrade_version_7(conn: sqlcipher3.Connection) -> None:
    """An index for "reviews due", which counts each pupil's reviews held in the last year: at
    county scale (80,000 reviews) reading them all took most of that screen's time."""
    run_script(conn, """
        CREATE INDEX apdr_reviews_held ON apdr_reviews(held_on, cycle_id)
            WHERE completed_at IS NOT NULL;
    """)


def upgrade_version_8(conn: sqlcipher3.Connection) -> None:
    """The pupil list's order over every pupil, leavers included: the list's other indexes
    cover only pupils on roll, so ticking "include leavers" sorted every pupil ever on roll on
    each keystroke (90 ms at 60,000, and leavers are kept for decades)."""
    run_script(conn, """
        CREATE INDEX pupils_everyone ON pupils(sort_key, search_text);
    """)


def upgrade_version_9(conn: sqlcipher3.Connection) -> None:
    """A contact's title (Mrs, Mr, Dr...), so letters can greet "Dear Mrs Hughes," as schools
    write; contacts recorded before have none, and their letters use the template's fallback."""
    run_script(conn, """
        ALTER TABLE contacts ADD COLUMN title TEXT;
    """)


def upgrade_version_10(conn: sqlcipher3.Connection) -> None:
    """Trust on first use, recorded; and the previous school's history kept apart.

    A signing key first seen on a package or a receipt proves only that the file was not
    altered after it was signed, not who signed it, until someone checks the fingerprint with
    the other school. key_checks records that check: which key, for which school reference,
    with whom it was checked, how and on which day, and who recorded it. Until a key has a
    check, transfers signed with it read "key not yet confirmed".

    field_changes.from_school names the school where an imported change was made (empty for
    this school's own), so the record's history shows the sender's edits as "from the previous
    school" rather than as changes made here.
    """
    run_script(conn, """
        CREATE TABLE key_checks (
            id            INTEGER PRIMARY KEY,
            school_ref    TEXT NOT NULL,
            school_name   TEXT NOT NULL,
            public_key    TEXT NOT NULL,
            checked_with  TEXT NOT NULL CHECK (length(checked_with) BETWEEN 1 AND 200),
            checked_how   TEXT NOT NULL
                          CHECK (checked_how IN ('by phone', 'in person', 'by video call')),
            checked_on    TEXT NOT NULL,
            recorded_at   TEXT NOT NULL,
            recorded_by   INTEGER REFERENCES users(id),
            UNIQUE (school_ref, public_key)
        );
        ALTER TABLE field_changes ADD COLUMN from_school TEXT;
    """)


def upgrade_version_11(conn: sqlcipher3.Connection) -> None:
    """The school's provision library, plans that pick from it, and entry and exit measures.

    provision_library is the menu of interventions a school offers (issue 19): what each is,
    its area of need, its evidence base, its usual size, frequency, length and hourly cost (in
    pounds), and the measures it is usually judged by (one a line). Retired items keep their
    rows (retired_on) so plans that used them still name them; name_key is the name lowercased,
    unique, so an import can match items by name. A provision line records the library item it
    was filled from (library_id); every field stays editable, so the line keeps its own copy.

    apdr_outcomes already had a "measure" column (how it will be measured: the SMART text), so
    the named measure an outcome is judged by (e.g. "YARC reading age") is measure_name.

    provision_measures holds a pupil's entry (baseline) and exit value on one provision line in
    the measure's own units; reading and spelling ages are held in months. Its rows are the
    pupil's (deleted with the pupil after the retention date, sent with the record on transfer);
    a line's library_id is the school's own and does not travel with a transfer.
    """
    run_script(conn, """
        CREATE TABLE provision_library (
            id                  INTEGER PRIMARY KEY,
            name                TEXT NOT NULL,
            name_key            TEXT,
            area                TEXT,
            description         TEXT NOT NULL DEFAULT '',
            evidence_summary    TEXT NOT NULL DEFAULT '',
            evidence_reference  TEXT NOT NULL DEFAULT '',
            staff_role          TEXT NOT NULL DEFAULT '',
            group_size          INTEGER CHECK (group_size >= 1),
            sessions_per_week   INTEGER CHECK (sessions_per_week >= 0),
            minutes             INTEGER CHECK (minutes >= 0),
            weeks               INTEGER CHECK (weeks BETWEEN 1 AND 52),
            hourly_cost         REAL CHECK (hourly_cost >= 0),
            measures            TEXT NOT NULL DEFAULT '',
            retired_on          TEXT,
            retired_by          INTEGER REFERENCES users(id),
            created_at          TEXT NOT NULL,
            created_by          INTEGER REFERENCES users(id),
            updated_at          TEXT,
            updated_by          INTEGER REFERENCES users(id)
        );
        CREATE UNIQUE INDEX provision_library_name ON provision_library(name_key);

        ALTER TABLE apdr_provision_items ADD COLUMN library_id INTEGER
            REFERENCES provision_library(id);
        CREATE INDEX apdr_provision_items_library ON apdr_provision_items(library_id);

        ALTER TABLE apdr_outcomes ADD COLUMN measure_name TEXT;

        CREATE TABLE provision_measures (
            id           INTEGER PRIMARY KEY,
            pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            item_id      INTEGER REFERENCES apdr_provision_items(id) ON DELETE CASCADE,
            kind         TEXT NOT NULL CHECK (kind IN ('standardised', 'reading_age',
                                                       'spelling_age', 'scaled', 'school_scale')),
            name         TEXT NOT NULL,
            entry_value  REAL,
            entry_date   TEXT,
            exit_value   REAL,
            exit_date    TEXT,
            note         TEXT NOT NULL DEFAULT '',
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            updated_at   TEXT,
            updated_by   INTEGER REFERENCES users(id),
            removed_at   TEXT,
            removed_by   INTEGER REFERENCES users(id),
            CHECK (exit_date IS NULL OR entry_date IS NULL OR exit_date >= entry_date)
        );
        CREATE INDEX provision_measures_pupil ON provision_measures(pupil_id);
        CREATE INDEX provision_measures_item ON provision_measures(item_id);
    """)


def upgrade_version_12(conn: sqlcipher3.Connection) -> None:
    """Group provision (issue 19): one intervention for several pupils.

    provision_groups holds the group: its name, the library item it was made from (if any), the
    member of staff who runs it and their role, its start and end dates (end_date is NULL while
    it runs with no end set), how often and how long it meets, and cost_total, the whole
    group's cost over its run in pounds (as provision_library.hourly_cost is), shared among the
    members present by the rule in models/provision_groups.py. ended_at/ended_by record who
    ended it early. provision_group_members holds who is in it and when (joined_on, left_on:
    both days counted); provision_group_slots when and where it meets in the school week
    (day 1 = Monday to 5 = Friday, times 'HH:MM'). A pupil's entry and exit measure on a group
    is a provision_measures row with group_id set.

    A membership goes with the pupil's record when it is deleted after retention (ON DELETE
    CASCADE), but is the school's own timetabling and does not travel in a records transfer
    (transfer/record.py lists it as not the pupil's): the group means nothing at the next
    school, whose plans carry the provision.
    """
    run_script(conn, """
        CREATE TABLE provision_groups (
            id                 INTEGER PRIMARY KEY,
            name               TEXT NOT NULL,
            library_id         INTEGER REFERENCES provision_library(id),
            area               TEXT,
            description        TEXT NOT NULL DEFAULT '',
            staff_name         TEXT NOT NULL DEFAULT '',
            staff_key          TEXT NOT NULL DEFAULT '',
            staff_role         TEXT NOT NULL DEFAULT '',
            start_date         TEXT NOT NULL,
            end_date           TEXT,
            cost_total         REAL NOT NULL DEFAULT 0 CHECK (cost_total >= 0),
            sessions_per_week  REAL NOT NULL DEFAULT 1 CHECK (sessions_per_week > 0),
            minutes            INTEGER NOT NULL DEFAULT 30 CHECK (minutes >= 1),
            weeks              INTEGER NOT NULL DEFAULT 38 CHECK (weeks BETWEEN 1 AND 52),
            created_at         TEXT NOT NULL,
            created_by         INTEGER REFERENCES users(id),
            updated_at         TEXT,
            updated_by         INTEGER REFERENCES users(id),
            ended_at           TEXT,
            ended_by           INTEGER REFERENCES users(id),
            CHECK (end_date IS NULL OR end_date >= start_date)
        );
        CREATE INDEX provision_groups_library ON provision_groups(library_id);
        CREATE INDEX provision_groups_staff ON provision_groups(staff_key);

        CREATE TABLE provision_group_members (
            id         INTEGER PRIMARY KEY,
            group_id   INTEGER NOT NULL REFERENCES provision_groups(id),
            pupil_id   INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            joined_on  TEXT NOT NULL,
            left_on    TEXT,
            added_at   TEXT NOT NULL,
            added_by   INTEGER REFERENCES users(id),
            CHECK (left_on IS NULL OR left_on >= joined_on)
        );
        CREATE INDEX provision_group_members_group ON provision_group_members(group_id);
        CREATE INDEX provision_group_members_pupil ON provision_group_members(pupil_id);

        CREATE TABLE provision_group_slots (
            id          INTEGER PRIMARY KEY,
            group_id    INTEGER NOT NULL REFERENCES provision_groups(id),
            day         INTEGER NOT NULL CHECK (day BETWEEN 1 AND 5),
            start_time  TEXT NOT NULL,
            end_time    TEXT NOT NULL,
            place       TEXT NOT NULL DEFAULT '',
            CHECK (end_time > start_time)
        );
        CREATE INDEX provision_group_slots_group ON provision_group_slots(group_id);

        ALTER TABLE provision_measures ADD COLUMN group_id INTEGER REFERENCES provision_groups(id);
        CREATE INDEX provision_measures_group ON provision_measures(group_id);
    """)


def upgrade_version_13(conn: sqlcipher3.Connection) -> None:
    """EHC plan provision, costed (issue 19).

    ehc_provision holds the provision an EHC plan specifies (its section F), one row a line:
    what it is, its area of need, who delivers it and how often, and what it costs a year in
    two parts: school_pence, met from the school's own notional SEN budget (the first £6,000
    of a pupil's additional support), and topup_pence, the local authority's top-up from its
    high-needs funding. Lines are marked removed rather than deleted, as a support plan's are.
    The school's notional SEN budget itself is a school setting in meta.
    """
    run_script(conn, """
        CREATE TABLE ehc_provision (
            id            INTEGER PRIMARY KEY,
            plan_id       INTEGER NOT NULL REFERENCES ehc_plans(id) ON DELETE CASCADE,
            position      INTEGER NOT NULL,
            description   TEXT NOT NULL,
            area          TEXT,
            delivered_by  TEXT NOT NULL DEFAULT '',
            frequency     TEXT NOT NULL DEFAULT '',
            school_pence  INTEGER NOT NULL CHECK (school_pence >= 0),
            topup_pence   INTEGER NOT NULL CHECK (topup_pence >= 0),
            entered_at    TEXT NOT NULL,
            entered_by    INTEGER REFERENCES users(id),
            removed_at    TEXT,
            removed_by    INTEGER REFERENCES users(id)
        );
        CREATE INDEX ehc_provision_of ON ehc_provision(plan_id);
    """)


def upgrade_version_14(conn: sqlcipher3.Connection) -> None:
    """The moves between years and schools, and what parents are told (issue 20).

    apdr_plans names the people responsible for the support: the responsible teacher and the
    key worker (a person's name, typed or picked from the school's users). They are not part of
    what was agreed, so they may change after the plan is agreed (staff leave and arrive).

    apdr_review_shares holds the day a held review's record was shared with the parents: a held
    review is fixed (apdr_reviews_fixed), so the date lives beside it, once per review.

    class_handovers records, for each pupil in a class's end-of-year handover pack, whom the
    pack was handed to and when (shown in the pupil's history).

    review_requests are reviews a move asks for: a year-group change from the MIS import, the
    arrival of a transfer file, a pupil arriving in Year 7. Each says why and by when; it is
    met by the first review held on or after the day it was raised.
    """
    run_script(conn, """
        ALTER TABLE apdr_plans ADD COLUMN responsible_teacher TEXT;
        ALTER TABLE apdr_plans ADD COLUMN key_worker TEXT;
        CREATE TABLE apdr_review_shares (
            id          INTEGER PRIMARY KEY,
            review_id   INTEGER NOT NULL UNIQUE REFERENCES apdr_reviews(id) ON DELETE CASCADE,
            shared_on   TEXT NOT NULL,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id)
        );
        CREATE TABLE class_handovers (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            class_name  TEXT NOT NULL CHECK (length(class_name) BETWEEN 1 AND 30),
            handed_to   TEXT NOT NULL CHECK (length(handed_to) BETWEEN 1 AND 100),
            handed_on   TEXT NOT NULL,
            entered_at  TEXT NOT NULL,
            entered_by  INTEGER REFERENCES users(id)
        );
        CREATE INDEX class_handovers_pupil ON class_handovers(pupil_id, handed_on);
        CREATE TABLE review_requests (
            id          INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            reason      TEXT NOT NULL CHECK (reason IN ('year_group', 'arrival', 'year7')),
            detail      TEXT NOT NULL,
            review_date TEXT NOT NULL,
            raised_on   TEXT NOT NULL,
            raised_at   TEXT NOT NULL,
            raised_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX review_requests_pupil ON review_requests(pupil_id, raised_on);
    """)


def upgrade_version_15(conn: sqlcipher3.Connection) -> None:
    """EHC rules (issue 20): who asked for a needs assessment and why a request went before the
    checklist was complete; interim EHC reviews; a looked-after pupil's next PEP review; the
    SENCO's review of an NSA primary need after a specialist's report; and two more parts of
    the file, exam access arrangements and "My Story" with the consent to share it.

    requested_by says whether the school, a parent or the young person asked the LA (parents
    and young people may ask themselves). sent_readiness keeps the checklist score on the day
    the request went ("3 of 11") and sent_below_readiness_reason why it went anyway. An EHC
    review is 'annual' or 'interim' (called between annual reviews when needs change).
    """
    run_script(conn, """
        ALTER TABLE ehcna_requests ADD COLUMN requested_by TEXT NOT NULL DEFAULT 'school'
            CHECK (requested_by IN ('school', 'parent', 'young_person'));
        ALTER TABLE ehcna_requests ADD COLUMN sent_readiness TEXT;
        ALTER TABLE ehcna_requests ADD COLUMN sent_below_readiness_reason TEXT;
        ALTER TABLE ehc_reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'annual'
            CHECK (kind IN ('annual', 'interim'));
        ALTER TABLE register_entries ADD COLUMN pep_review_date TEXT;
        CREATE TABLE need_reviews (
            id           INTEGER PRIMARY KEY,
            pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            reviewed_on  TEXT NOT NULL,
            kept_need    TEXT NOT NULL,
            note         TEXT NOT NULL DEFAULT '',
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX need_reviews_pupil ON need_reviews(pupil_id);
        CREATE TABLE exam_access_arrangements (
            id           INTEGER PRIMARY KEY,
            pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            arrangement  TEXT NOT NULL CHECK (arrangement IN ('extra_time_25', 'extra_time_50',
                             'reader', 'computer_reader', 'scribe', 'word_processor',
                             'rest_breaks', 'separate_room', 'prompter', 'modified_papers',
                             'other')),
            detail       TEXT NOT NULL DEFAULT '',
            assessment   TEXT NOT NULL DEFAULT '',
            evidence     TEXT NOT NULL DEFAULT '',
            assessor     TEXT NOT NULL,
            assessed_on  TEXT NOT NULL,
            valid_from   TEXT NOT NULL,
            valid_to     TEXT NOT NULL,
            withdrawn_on TEXT,
            entered_at   TEXT NOT NULL,
            entered_by   INTEGER REFERENCES users(id),
            updated_at   TEXT,
            updated_by   INTEGER REFERENCES users(id)
        );
        CREATE INDEX exam_access_pupil ON exam_access_arrangements(pupil_id);
        CREATE TABLE my_story (
            id                 INTEGER PRIMARY KEY,
            pupil_id           INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
            written_on         TEXT NOT NULL,
            story              TEXT NOT NULL,
            consent_by         TEXT,
            consent_as         TEXT CHECK (consent_as IN ('pupil', 'parent', 'young_person')),
            consent_on         TEXT,
            share_staff        INTEGER NOT NULL DEFAULT 0 CHECK (share_staff IN (0, 1)),
            share_specialists  INTEGER NOT NULL DEFAULT 0 CHECK (share_specialists IN (0, 1)),
            share_la           INTEGER NOT NULL DEFAULT 0 CHECK (share_la IN (0, 1)),
            share_next_school  INTEGER NOT NULL DEFAULT 0 CHECK (share_next_school IN (0, 1)),
            entered_at         TEXT NOT NULL,
            entered_by         INTEGER REFERENCES users(id),
            updated_at         TEXT,
            updated_by         INTEGER REFERENCES users(id)
        );
        CREATE INDEX my_story_pupil ON my_story(pupil_id);
    """)



def upgrade_version_16(conn: sqlcipher3.Connection) -> None:
    """The impact facts, kept beside the history so the impact table and the governors'
    figures read the size of their answer, not ten years of joined history (issue 19 item 9).

    impact_lines holds one row per plan line filled from the provision library on an agreed
    plan: its pupil, plan and library item, the days it ran (from its start, or the plan's
    date, to its end, the held review that closed its cycle, or the review date agreed) and its
    costing. impact_reviews holds, for each held review, the outcomes reviewed and achieved per
    plan and named measure. Both are derived (records/impact_facts.py, run by a rule in
    records/derived.py after every change to a pupil's pathway); they are filled here from the
    history as it stands. They carry no foreign keys, so they are never part of a pupil's
    transferred record or subject access copy; the rule removes a deleted pupil's rows.

    plan_reviews holds each agreed plan's review date, the day its review was held (if it has
    been), whether its pathway is still open (the governors' "reviews held on time") and
    whether it is its pathway's latest agreed plan (the one in force, on the provision map).

    The indexes cover the reports' exact queries: the facts by period, complete entry and exit
    measures by exit date, pupils by admission and leaving dates (the number on roll at each
    census day) and plan lines' costings by plan (the governors' spend). The days a line ran from and to are kept as day
    numbers too (store/day_numbers.py), so its cost in a period is summed in SQL.
    """
    run_script(conn, """
        CREATE TABLE impact_lines (
            item_id            INTEGER PRIMARY KEY,
            pupil_id           INTEGER NOT NULL,
            library_id         INTEGER NOT NULL,
            plan_id            INTEGER NOT NULL,
            began              TEXT NOT NULL,
            stopped            TEXT NOT NULL,
            began_day          INTEGER NOT NULL,
            stopped_day        INTEGER NOT NULL,
            group_size         INTEGER NOT NULL,
            sessions_per_week  REAL NOT NULL,
            minutes            INTEGER NOT NULL,
            weeks              INTEGER NOT NULL,
            cost_basis         TEXT NOT NULL,
            rate_pence         INTEGER NOT NULL
        );
        CREATE INDEX impact_lines_pupil ON impact_lines(pupil_id);
        CREATE INDEX impact_lines_period ON impact_lines(stopped, began, library_id, pupil_id,
            plan_id, began_day, stopped_day, group_size, sessions_per_week, minutes, weeks,
            cost_basis, rate_pence);
        CREATE TABLE impact_reviews (
            review_id     INTEGER NOT NULL,
            plan_id       INTEGER NOT NULL,
            measure_name  TEXT NOT NULL,
            pupil_id      INTEGER NOT NULL,
            held_on       TEXT NOT NULL,
            reviewed      INTEGER NOT NULL,
            achieved      INTEGER NOT NULL,
            PRIMARY KEY (review_id, plan_id, measure_name)
        );
        CREATE INDEX impact_reviews_pupil ON impact_reviews(pupil_id);
        CREATE INDEX impact_reviews_held ON impact_reviews(held_on, pupil_id, plan_id,
            measure_name, reviewed, achieved);
        INSERT INTO impact_lines (item_id, pupil_id, library_id, plan_id, began, stopped,
            began_day, stopped_day, group_size, sessions_per_week, minutes, weeks, cost_basis,
            rate_pence)
        SELECT i.id, w.pupil_id, i.library_id, i.plan_id, COALESCE(i.started_on, pl.plan_date),
               COALESCE(i.ended_on, rv.held_on, pl.review_date),
               {began_day}, {stopped_day}, i.group_size,
               i.sessions_per_week, i.minutes, i.weeks, i.cost_basis, i.rate_pence
        FROM apdr_provision_items i JOIN apdr_plans pl ON pl.id = i.plan_id
        JOIN apdr_cycles c ON c.id = pl.cycle_id
        JOIN send_pathways w ON w.id = c.pathway_id
        LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id AND rv.completed_at IS NOT NULL
        WHERE pl.agreed_at IS NOT NULL AND pl.review_date IS NOT NULL
          AND i.library_id IS NOT NULL AND i.removed_at IS NULL
          AND COALESCE(i.started_on, pl.plan_date) IS NOT NULL;
        INSERT INTO impact_reviews (review_id, plan_id, measure_name, pupil_id, held_on,
            reviewed, achieved)
        SELECT rv.id, o.plan_id, COALESCE(o.measure_name, ''), w.pupil_id, rv.held_on,
               count(*), SUM(CASE WHEN rp.progress = 'achieved' THEN 1 ELSE 0 END)
        FROM apdr_review_progress rp
        JOIN apdr_reviews rv ON rv.id = rp.review_id
        JOIN apdr_outcomes o ON o.id = rp.outcome_id
        JOIN apdr_cycles c ON c.id = rv.cycle_id
        JOIN send_pathways w ON w.id = c.pathway_id
        WHERE rv.completed_at IS NOT NULL AND rv.held_on IS NOT NULL AND o.removed_at IS NULL
        GROUP BY rv.id, o.plan_id, COALESCE(o.measure_name, ''), w.pupil_id, rv.held_on;
        CREATE INDEX provision_measures_complete ON provision_measures(exit_date, pupil_id,
            item_id, group_id, kind, name, entry_value, entry_date, exit_value, removed_at)
            WHERE removed_at IS NULL AND entry_value IS NOT NULL AND exit_value IS NOT NULL;
        CREATE TABLE plan_reviews (
            plan_id       INTEGER PRIMARY KEY,
            pupil_id      INTEGER NOT NULL,
            pathway_id    INTEGER NOT NULL,
            cycle_number  INTEGER NOT NULL,
            review_date   TEXT NOT NULL,
            held_on       TEXT,
            pathway_open  INTEGER NOT NULL CHECK (pathway_open IN (0, 1)),
            latest        INTEGER NOT NULL CHECK (latest IN (0, 1))
        );
        CREATE INDEX plan_reviews_pupil ON plan_reviews(pupil_id);
        CREATE INDEX plan_reviews_due ON plan_reviews(review_date, held_on, pathway_open);
        CREATE INDEX plan_reviews_in_force ON plan_reviews(plan_id, pupil_id, pathway_id,
            cycle_number) WHERE latest = 1 AND pathway_open = 1;
        INSERT INTO plan_reviews (plan_id, pupil_id, pathway_id, cycle_number, review_date,
            held_on, pathway_open, latest)
        SELECT pl.id, w.pupil_id, w.id, c.number, pl.review_date,
               CASE WHEN rv.completed_at IS NOT NULL THEN rv.held_on ELSE NULL END,
               CASE WHEN w.status = 'open' THEN 1 ELSE 0 END,
               CASE WHEN c.number = (SELECT max(c2.number) FROM apdr_cycles c2
                                     JOIN apdr_plans p2 ON p2.cycle_id = c2.id
                                     WHERE c2.pathway_id = w.id AND p2.agreed_at IS NOT NULL)
                    THEN 1 ELSE 0 END
        FROM apdr_plans pl JOIN apdr_cycles c ON c.id = pl.cycle_id
        JOIN send_pathways w ON w.id = c.pathway_id
        LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id
        WHERE pl.agreed_at IS NOT NULL AND pl.review_date IS NOT NULL;
        CREATE INDEX pupils_on_roll ON pupils(admission_date, leaving_date, year_rank);
        CREATE INDEX apdr_provision_items_costing ON apdr_provision_items(plan_id, removed_at,
            ended_on, cost_basis, rate_pence, sessions_per_week, minutes, weeks, group_size);
    """.format(began_day=day_number_sql("COALESCE(i.started_on, pl.plan_date)"),
               stopped_day=day_number_sql("COALESCE(i.ended_on, rv.held_on, pl.review_date)")))


def upgrade_version_17(conn: sqlcipher3.Connection) -> None:
    """From 16 a pupil can be told themselves that they joined or left the SEN register (issue
    20 item 6): the school's choice (parents only, the young person as well, or instead) says
    who must be told before a 'parent notification due' item clears.

    young_person is 1 when the pupil was 16 or over on the day the item fell due; the
    young_person_* columns record the notification to them (a contact row cannot: the pupil is
    not one of their own contacts). Items already held are marked from the pupils' dates of
    birth with text arithmetic alone: the year 16 on, then the month and day, the rule of
    models/school_contacts.is_young_person (16 years after a 29 February is again a 29 February
    for everyone born before 2084).
    """
    dob_year = "CAST(SUBSTR(p.dob, 1, 4) AS INTEGER) + 16"
    due_year = "CAST(SUBSTR(parent_notifications_due.due_since, 1, 4) AS INTEGER)"
    run_script(conn, f"""
        ALTER TABLE parent_notifications_due ADD COLUMN young_person INTEGER NOT NULL DEFAULT 0
            CHECK (young_person IN (0, 1));
        ALTER TABLE parent_notifications_due ADD COLUMN young_person_told_on TEXT;
        ALTER TABLE parent_notifications_due ADD COLUMN young_person_method TEXT;
        ALTER TABLE parent_notifications_due ADD COLUMN young_person_recipient TEXT;
        ALTER TABLE parent_notifications_due ADD COLUMN young_person_entered_at TEXT;
        ALTER TABLE parent_notifications_due ADD COLUMN young_person_entered_by INTEGER REFERENCES users(id);
        UPDATE parent_notifications_due SET young_person = 1 WHERE EXISTS (
            SELECT 1 FROM pupils p WHERE p.id = parent_notifications_due.pupil_id
            AND ({dob_year} < {due_year} OR ({dob_year} = {due_year}
                 AND SUBSTR(p.dob, 6, 5) <= SUBSTR(parent_notifications_due.due_since, 6, 5))));
    """)


def upgrade_version_18(conn: sqlcipher3.Connection) -> None:
    """The impact table (records/impact_sums.py) reads the period's plan lines by library
    item, pupil and plan and joins the reviewed outcomes to them by plan and pupil; SQLite
    reads this index as a covering index for those lines, about 120 ms of CPU off a
    three-year table at 60,000 pupils (docs/performance.md). The derived impact_lines table
    is already filled, so the index is all this step adds."""
    run_script(conn, """
        CREATE INDEX impact_lines_plan ON impact_lines(plan_id, pupil_id, library_id, stopped,
            began);
    """)


def upgrade_version_19(conn: sqlcipher3.Connection) -> None:
    """Each open pathway's latest cycle and its plan, kept ready for Reviews due, Home and the
    pupil list's "no current plan" filter (issue 21 item 10: at 60,000 pupils the search for
    each pathway's latest cycle and for pupils without an agreed plan was most of Home's time
    on the school server).

    One row per open pathway that has a cycle: its pupil, stage and opening day, its latest
    cycle, that cycle's plan date and agreed review date, and has_plan (any of its cycles has
    an agreed plan). Derived (records/pathway_plans.py, run by a rule in records/derived.py
    after every change to a pupil's pathway); filled here from the history as it stands. No
    foreign keys, so never part of a transferred record or subject access copy; the rule
    removes a deleted pupil's rows.
    """
    run_script(conn, """
        CREATE TABLE pathway_plans (
            pathway_id    INTEGER PRIMARY KEY,
            pupil_id      INTEGER NOT NULL,
            stage         TEXT NOT NULL,
            opened_on     TEXT NOT NULL,
            cycle_id      INTEGER NOT NULL,
            cycle_number  INTEGER NOT NULL,
            plan_date     TEXT,
            review_date   TEXT,
            has_plan      INTEGER NOT NULL CHECK (has_plan IN (0, 1))
        );
        CREATE INDEX pathway_plans_pupil ON pathway_plans(pupil_id, has_plan);
        INSERT INTO pathway_plans (pathway_id, pupil_id, stage, opened_on, cycle_id,
            cycle_number, plan_date, review_date, has_plan)
        SELECT w.id, w.pupil_id, w.stage, w.opened_on, c.id, c.number, pl.plan_date,
               CASE WHEN pl.agreed_at IS NOT NULL THEN pl.review_date ELSE NULL END,
               CASE WHEN EXISTS (SELECT 1 FROM apdr_cycles c2 JOIN apdr_plans p2
                                 ON p2.cycle_id = c2.id
                                 WHERE c2.pathway_id = w.id AND p2.agreed_at IS NOT NULL)
                    THEN 1 ELSE 0 END
        FROM send_pathways w
        JOIN apdr_cycles c ON c.pathway_id = w.id
         AND c.number = (SELECT max(c3.number) FROM apdr_cycles c3 WHERE c3.pathway_id = w.id)
        LEFT JOIN apdr_plans pl ON pl.cycle_id = c.id
        WHERE w.status = 'open';
    """)


# The suggested interventions' measures that improve as they fall (resources/
# provision_library.json marks them so), written out here as a shipped step must not change.
_LOWER_IS_BETTER_20 = ("SDQ total difficulties score", "SDQ peer problems score",
                       "SDQ emotional symptoms score", "Boxall Profile diagnostic profile score")


def upgrade_version_20(conn: sqlcipher3.Connection) -> None:
    """Which way each named measure improves (issue 19): most improve as they rise, some (an
    SDQ difficulties score, a count of behaviour incidents) as they fall, and the impact
    table's gain and cost per point of gain mean nothing until sendesk knows which.

    One row per measure name the school has answered for, matched as direction_key folds
    names (case and spacing ignored); a name with no row is higher-is-better. A school
    setting, with no foreign key to a pupil, so never part of a transferred record. The
    suggested interventions' SDQ and Boxall diagnostic scores are marked lower-is-better here
    where the school's library already lists them (a new school's are marked as its library
    is filled).
    """
    marked = "".join(
        f"INSERT INTO measure_directions (name_key, name, lower_is_better) SELECT"
        f" '{name.casefold()}', '{name}', 1 WHERE EXISTS (SELECT 1 FROM provision_library"
        f" WHERE measures LIKE '%{name}%');\n" for name in _LOWER_IS_BETTER_20)
    run_script(conn, """
        CREATE TABLE measure_directions (
            name_key         TEXT PRIMARY KEY,
            name             TEXT NOT NULL,
            lower_is_better  INTEGER NOT NULL CHECK (lower_is_better IN (0, 1)),
            updated_at       TEXT,
            updated_by       INTEGER REFERENCES users(id)
        );
    """ + marked)


def upgrade_version_21(conn: sqlcipher3.Connection) -> None:
    """From here, on the school server, no login writes the facts derived from pupils'
    pathways (impact_lines, impact_reviews, plan_reviews, pathway_plans): the rules call the
    owner's functions, which work them out from the records (issue 21 item 4: a member of
    staff with psql could delete them and so change the impact table, the governors' figures
    and Reviews due). The tables stay as they are on both engines; ``server upgrade`` puts
    the functions and grants in place after the migrations (store/server_security.py) and
    works the facts out afresh.

    This step changes nothing but the version, which is the point: a PC with an older
    sendesk writes those tables itself and would be refused at every save, so an upgraded
    server refuses it at sign-in ("install the latest sendesk"); and a newer PC, which calls
    the functions, is refused by a server not yet upgraded, with the command to run.
    """
    del conn


def upgrade_version_22(conn: sqlcipher3.Connection) -> None:
    """Two more impact facts, so the impact table reads each part of its sums in one pass in
    the order it sums them (library item, then pupil), with no join or sort at read time
    (issue 19 item 9: at 60,000 pupils joining the reviewed outcomes to their plans' lines and
    ranking every pupil's measures for the latest was most of a three-year table).

    impact_line_outcomes holds impact_lines joined to impact_reviews: one row per library line
    and reviewed row of its plan, with the line's days, the day of the review and whether
    every outcome reviewed was achieved (met). impact_line_measures holds one row per complete
    entry and exit measure taken on a library line (not removed, both values recorded, an exit
    date; not a group's), with the line's library item and days, its two values and the days
    from entry to exit (store/day_numbers.py; none without an entry date). Both are derived
    (store/derived_facts.py's IMPACT_FACTS, run by a rule in records/derived.py after every
    change to a pupil's pathway or measures; on the server, as step 21 made it for the other
    derived facts, only the owner's functions write them) and filled here from the facts
    already held, which that rule has kept up to date. No foreign keys, so never part of a
    transferred record or subject access copy; the rule removes a deleted pupil's rows.

    impact_lines gains an index by library item and pupil (the impact table's pupils and
    costs, read in that order); the index by plan (step 18) served the join now kept in
    impact_line_outcomes, and goes.
    """
    run_script(conn, """
        CREATE TABLE impact_line_outcomes (
            item_id       INTEGER NOT NULL,
            review_id     INTEGER NOT NULL,
            measure_name  TEXT NOT NULL,
            pupil_id      INTEGER NOT NULL,
            library_id    INTEGER NOT NULL,
            began         TEXT NOT NULL,
            stopped       TEXT NOT NULL,
            held_on       TEXT NOT NULL,
            met           INTEGER NOT NULL CHECK (met IN (0, 1)),
            PRIMARY KEY (item_id, review_id, measure_name)
        );
        CREATE INDEX impact_line_outcomes_pupil ON impact_line_outcomes(pupil_id);
        CREATE INDEX impact_line_outcomes_row ON impact_line_outcomes(library_id, pupil_id,
            held_on, stopped, began, met);
        CREATE INDEX impact_line_outcomes_named ON impact_line_outcomes(measure_name, library_id,
            pupil_id, held_on, stopped, began, met) WHERE measure_name <> '';
        INSERT INTO impact_line_outcomes (item_id, review_id, measure_name, pupil_id,
            library_id, began, stopped, held_on, met)
        SELECT l.item_id, r.review_id, r.measure_name, l.pupil_id, l.library_id, l.began,
               l.stopped, r.held_on, CASE WHEN r.reviewed = r.achieved THEN 1 ELSE 0 END
        FROM impact_reviews r JOIN impact_lines l ON l.plan_id = r.plan_id
        WHERE l.pupil_id = r.pupil_id;
        CREATE TABLE impact_line_measures (
            measure_id  INTEGER PRIMARY KEY,
            pupil_id    INTEGER NOT NULL,
            library_id  INTEGER NOT NULL,
            name        TEXT NOT NULL,
            kind        TEXT NOT NULL,
            exit_date   TEXT NOT NULL,
            began       TEXT NOT NULL,
            stopped     TEXT NOT NULL,
            entry_value REAL NOT NULL,
            exit_value  REAL NOT NULL,
            days        INTEGER
        );
        CREATE INDEX impact_line_measures_pupil ON impact_line_measures(pupil_id);
        CREATE INDEX impact_line_measures_row ON impact_line_measures(library_id, pupil_id,
            name, kind, exit_date, measure_id, stopped, began);
        INSERT INTO impact_line_measures (measure_id, pupil_id, library_id, name, kind,
            exit_date, began, stopped, entry_value, exit_value, days)
        SELECT m.id, m.pupil_id, l.library_id, m.name, m.kind, m.exit_date, l.began, l.stopped,
               m.entry_value, m.exit_value, {exit_day} - {entry_day}
        FROM provision_measures m JOIN impact_lines l
          ON l.item_id = m.item_id AND l.pupil_id = m.pupil_id
        WHERE m.removed_at IS NULL AND m.entry_value IS NOT NULL AND m.exit_value IS NOT NULL
          AND m.exit_date IS NOT NULL AND COALESCE(m.group_id, 0) = 0;
        CREATE INDEX impact_lines_library ON impact_lines(library_id, pupil_id, stopped, began,
            began_day, stopped_day, group_size, sessions_per_week, minutes, weeks, cost_basis,
            rate_pence);
        DROP INDEX impact_lines_plan;
    """.format(exit_day=day_number_sql("m.exit_date"), entry_day=day_number_sql("m.entry_date")))



def upgrade_version_23(conn: sqlcipher3.Connection) -> None:
    """Each line measure's next one kept beside it, so the impact table finds each pupil's
    latest measure by reading, not ranking (issue 19 item 9: at 60,000 pupils picking the
    latest of 56,000 measures, then reading each one's values back, was most of a three-year
    table).

    impact_line_measures gains, for each measure, the exit date of the next measure of the
    same pupil, library item, name and kind (by exit date, then by id) and the first and last
    day of that measure's line: a measure is the latest that counts in a period when it counts
    and its next one does not (is after the period, or its line did not run in it). Derived
    like the rest of the table (store/derived_facts.py's LATER_MEASURE, the same LEAD() the
    rule runs); filled here from the measures and impact_lines as they stand. The table is
    read in exit date order now, by an index holding every column the table reads, instead
    of by item and pupil.

    provision_measures gains an index by name and impact_reviews one by the measure an outcome
    names, so the names measured and named can be read by stepping from one to the next instead
    of scanning every measure and review of the period.
    """
    run_script(conn, """
        ALTER TABLE impact_line_measures ADD COLUMN later_exit TEXT;
        ALTER TABLE impact_line_measures ADD COLUMN later_began TEXT;
        ALTER TABLE impact_line_measures ADD COLUMN later_stopped TEXT;
        DELETE FROM impact_line_measures;
        INSERT INTO impact_line_measures (measure_id, pupil_id, library_id, name, kind,
            exit_date, began, stopped, entry_value, exit_value, days, later_exit, later_began,
            later_stopped)
        SELECT m.id, m.pupil_id, l.library_id, m.name, m.kind, m.exit_date, l.began, l.stopped,
               m.entry_value, m.exit_value, {exit_day} - {entry_day},
               LEAD(m.exit_date) {next}, LEAD(l.began) {next}, LEAD(l.stopped) {next}
        FROM provision_measures m JOIN impact_lines l
          ON l.item_id = m.item_id AND l.pupil_id = m.pupil_id
        WHERE m.removed_at IS NULL AND m.entry_value IS NOT NULL AND m.exit_value IS NOT NULL
          AND m.exit_date IS NOT NULL AND COALESCE(m.group_id, 0) = 0;
        DROP INDEX impact_line_measures_row;
        CREATE INDEX impact_line_measures_period ON impact_line_measures(exit_date, stopped,
            began, later_exit, later_began, later_stopped, library_id, pupil_id, name, kind,
            measure_id, entry_value, exit_value, days);
        CREATE INDEX provision_measures_name ON provision_measures(name);
        CREATE INDEX impact_reviews_named ON impact_reviews(measure_name);
    """.format(exit_day=day_number_sql("m.exit_date"), entry_day=day_number_sql("m.entry_date"),
               next="OVER (PARTITION BY l.library_id, m.pupil_id, m.name, m.kind"
                    " ORDER BY m.exit_date, m.id)"))


def upgrade_version_24(conn: sqlcipher3.Connection) -> None:
    """A library item's sessions a week may be a half (review 24 F3.2): 0.5 is once a
    fortnight, as a plan's provision line and a group already allow (models/provision.py's
    parse_sessions, the one rule for all three). The column was INTEGER, which the school
    server makes BIGINT, where 0.5 would be stored as 1.

    Neither engine changes a column's type in place (SQLite cannot; the translation keeps to
    forms both share), so the step adds a REAL column, copies every item's whole number into
    it unchanged, drops the INTEGER column and gives the new one its name: the same table on
    both engines, the column now last.
    """
    run_script(conn, """
        ALTER TABLE provision_library ADD COLUMN sessions_a_week REAL CHECK (sessions_a_week >= 0);
        UPDATE provision_library SET sessions_a_week = sessions_per_week;
        ALTER TABLE provision_library DROP COLUMN sessions_per_week;
        ALTER TABLE provision_library RENAME COLUMN sessions_a_week TO sessions_per_week;
    """)


def _steps() -> dict[int, Step]:
    module = sys.modules[__name__]
    steps = {}
    for name in dir(module):
        if name.startswith("upgrade_version_"):
            steps[int(name.rsplit("_", 1)[1])] = getattr(module, name)
    return steps


STEPS = _steps()
LATEST = max(STEPS)


def current_version(conn: sqlcipher3.Connection) -> int:
    if not isinstance(conn, sqlcipher3.Connection):
        return int(conn.schema_version())    # the school server's migration target
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _begin(conn: sqlcipher3.Connection) -> None:
    if not isinstance(conn, sqlcipher3.Connection):
        conn.begin_exclusive()
    else:
        conn.execute("BEGIN EXCLUSIVE")


def _set_version(conn: sqlcipher3.Connection, version: int) -> None:
    if not isinstance(conn, sqlcipher3.Connection):
        conn.set_schema_version(version)
    else:
        conn.execute(f"PRAGMA user_version = {version}")


def upgrade(conn: sqlcipher3.Connection, steps: dict[int, Step] | None = None) -> int:
    """Bring the schema up to date; returns the version it started from."""
    steps = steps or STEPS
    latest = max(steps)
    start = current_version(conn)
    if start > latest:
        raise NewerVersionError(
            "This database was saved by a newer version of sendesk. Install the latest sendesk "
            "to open it; nothing has been changed.")
    if start == latest:
        return start
    _begin(conn)
    try:
        for version in range(start + 1, latest + 1):
            steps[version](conn)
            _set_version(conn, version)
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (disk full does); that must not hide the cause.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return start


def expected_triggers() -> dict[str, str]:
    """The triggers these migrations create (name to SQL as stored), built in memory, to
    compare with a live database's (a safeguard taken down shows up in verify)."""
    return dict(_triggers_built_in_memory())


@functools.cache
def _triggers_built_in_memory() -> tuple[tuple[str, str], ...]:
    """Built once per process: the migrations are fixed, and running all of them again cost
    every verify about 25 ms."""
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    try:
        upgrade(conn)
        return tuple(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    finally:
        conn.close()
