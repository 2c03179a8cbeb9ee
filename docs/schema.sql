-- The sendesk database schema at migration version 24, as a new database
-- gets it. Generated from src/sendesk/store/migrations.py: do not edit by hand;
-- after adding a migration run ./dev schema (tests/test_schema_snapshot.py checks).

-- apdr_assessment_tools
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
CREATE TRIGGER apdr_assessment_tools_fixed BEFORE UPDATE ON apdr_assessment_tools
WHEN (SELECT completed_at FROM apdr_assessments WHERE id = OLD.assessment_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a finished assessment cannot be changed'); END;

-- apdr_assessments
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
CREATE TRIGGER apdr_assessments_fixed BEFORE UPDATE ON apdr_assessments
WHEN OLD.completed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a finished assessment cannot be changed'); END;

-- apdr_cycles
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

-- apdr_delivery_log
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
CREATE TRIGGER apdr_delivery_log_fixed BEFORE UPDATE OF item_id, delivered_on, delivered,
note, entered_at, entered_by ON apdr_delivery_log
BEGIN SELECT RAISE(ABORT, 'a delivery log entry cannot be changed; withdraw it'); END;

-- apdr_outcomes
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
, measure_name TEXT);
CREATE INDEX apdr_outcomes_of ON apdr_outcomes(plan_id);
CREATE TRIGGER apdr_outcomes_fixed BEFORE UPDATE ON apdr_outcomes
WHEN (SELECT agreed_at FROM apdr_plans WHERE id = OLD.plan_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an agreed plan cannot be changed'); END;

-- apdr_plans
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
, responsible_teacher TEXT, key_worker TEXT);
CREATE INDEX apdr_plans_review ON apdr_plans(review_date) WHERE agreed_at IS NOT NULL;
CREATE TRIGGER apdr_plans_fixed BEFORE UPDATE OF aspirations, plan_date, review_date,
agreed_at, agreed_by, cycle_id ON apdr_plans
WHEN OLD.agreed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an agreed plan cannot be changed'); END;

-- apdr_provision_items
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
, library_id INTEGER
    REFERENCES provision_library(id));
CREATE INDEX apdr_provision_items_costing ON apdr_provision_items(plan_id, removed_at,
ended_on, cost_basis, rate_pence, sessions_per_week, minutes, weeks, group_size);
CREATE INDEX apdr_provision_items_library ON apdr_provision_items(library_id);
CREATE INDEX apdr_provision_items_of ON apdr_provision_items(plan_id);
CREATE INDEX apdr_provision_items_recommendation ON apdr_provision_items(recommendation_id);
CREATE TRIGGER apdr_provision_items_fixed BEFORE UPDATE OF plan_id, description, area,
delivered_by, group_size, sessions_per_week, minutes, weeks, cost_basis, rate_pence,
recommendation_id, started_on, removed_at ON apdr_provision_items
WHEN (SELECT agreed_at FROM apdr_plans WHERE id = OLD.plan_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an agreed plan cannot be changed'); END;

-- apdr_review_progress
CREATE TABLE apdr_review_progress (
    review_id   INTEGER NOT NULL REFERENCES apdr_reviews(id) ON DELETE CASCADE,
    outcome_id  INTEGER NOT NULL REFERENCES apdr_outcomes(id) ON DELETE CASCADE,
    progress    TEXT CHECK (progress IN ('achieved', 'partly', 'not_yet')),
    comment     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, outcome_id)
);
CREATE TRIGGER apdr_review_progress_fixed BEFORE UPDATE ON apdr_review_progress
WHEN (SELECT completed_at FROM apdr_reviews WHERE id = OLD.review_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a held review cannot be changed'); END;

-- apdr_review_shares
CREATE TABLE apdr_review_shares (
    id          INTEGER PRIMARY KEY,
    review_id   INTEGER NOT NULL UNIQUE REFERENCES apdr_reviews(id) ON DELETE CASCADE,
    shared_on   TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    entered_by  INTEGER REFERENCES users(id)
);

-- apdr_review_specialist_views
CREATE TABLE apdr_review_specialist_views (
    review_id       INTEGER NOT NULL REFERENCES apdr_reviews(id) ON DELETE CASCADE,
    involvement_id  INTEGER NOT NULL REFERENCES specialist_involvements(id) ON DELETE CASCADE,
    view            TEXT NOT NULL DEFAULT '',
    given_as        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, involvement_id)
);

-- apdr_reviews
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
CREATE INDEX apdr_reviews_held ON apdr_reviews(held_on, cycle_id)
WHERE completed_at IS NOT NULL;
CREATE TRIGGER apdr_reviews_fixed BEFORE UPDATE ON apdr_reviews
WHEN OLD.completed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a held review cannot be changed'); END;

-- audit_head
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    count     INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);

-- audit_log
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
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;

-- class_handovers
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

-- concern_answers
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

-- concern_runs
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
CREATE UNIQUE INDEX concern_runs_one_draft ON concern_runs(pupil_id) WHERE status = 'draft';
CREATE INDEX concern_runs_pupil ON concern_runs(pupil_id, status);
CREATE TRIGGER concern_runs_finished_fixed BEFORE UPDATE ON concern_runs
WHEN OLD.status = 'finished'
BEGIN SELECT RAISE(ABORT, 'a finished flowchart record cannot be changed'); END;

-- consents
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

-- contacts
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
, title TEXT);
CREATE INDEX contacts_pupil ON contacts(pupil_id);

-- ehc_outcome_steps
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

-- ehc_outcomes
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

-- ehc_plans
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
CREATE UNIQUE INDEX ehc_plans_one_current ON ehc_plans(pupil_id) WHERE ceased_on IS NULL;
CREATE INDEX ehc_plans_pupil ON ehc_plans(pupil_id);

-- ehc_provision
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

-- ehc_reviews
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
, kind TEXT NOT NULL DEFAULT 'annual'
    CHECK (kind IN ('annual', 'interim')));
CREATE INDEX ehc_reviews_of ON ehc_reviews(plan_id);
CREATE UNIQUE INDEX ehc_reviews_one_pending ON ehc_reviews(plan_id) WHERE held_on IS NULL;

-- ehcna_checklist
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

-- ehcna_exceptions
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

-- ehcna_requests
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
, requested_by TEXT NOT NULL DEFAULT 'school'
    CHECK (requested_by IN ('school', 'parent', 'young_person')), sent_readiness TEXT, sent_below_readiness_reason TEXT);
CREATE INDEX ehcna_requests_pupil ON ehcna_requests(pupil_id);

-- exam_access_arrangements
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

-- field_changes
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
, from_school TEXT);
CREATE INDEX field_changes_pupil ON field_changes(pupil_id, changed_at);

-- impact_line_measures
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
, later_exit TEXT, later_began TEXT, later_stopped TEXT);
CREATE INDEX impact_line_measures_period ON impact_line_measures(exit_date, stopped,
began, later_exit, later_began, later_stopped, library_id, pupil_id, name, kind,
measure_id, entry_value, exit_value, days);
CREATE INDEX impact_line_measures_pupil ON impact_line_measures(pupil_id);

-- impact_line_outcomes
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
CREATE INDEX impact_line_outcomes_named ON impact_line_outcomes(measure_name, library_id,
pupil_id, held_on, stopped, began, met) WHERE measure_name <> '';
CREATE INDEX impact_line_outcomes_pupil ON impact_line_outcomes(pupil_id);
CREATE INDEX impact_line_outcomes_row ON impact_line_outcomes(library_id, pupil_id,
held_on, stopped, began, met);

-- impact_lines
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
CREATE INDEX impact_lines_library ON impact_lines(library_id, pupil_id, stopped, began,
began_day, stopped_day, group_size, sessions_per_week, minutes, weeks, cost_basis,
rate_pence);
CREATE INDEX impact_lines_period ON impact_lines(stopped, began, library_id, pupil_id,
plan_id, began_day, stopped_day, group_size, sessions_per_week, minutes, weeks,
cost_basis, rate_pence);
CREATE INDEX impact_lines_pupil ON impact_lines(pupil_id);

-- impact_reviews
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
CREATE INDEX impact_reviews_held ON impact_reviews(held_on, pupil_id, plan_id,
measure_name, reviewed, achieved);
CREATE INDEX impact_reviews_named ON impact_reviews(measure_name);
CREATE INDEX impact_reviews_pupil ON impact_reviews(pupil_id);

-- key_checks
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

-- known_senders
CREATE TABLE known_senders (
    school_ref   TEXT PRIMARY KEY,
    school_name  TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users(id)
);

-- measure_directions
CREATE TABLE measure_directions (
    name_key         TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    lower_is_better  INTEGER NOT NULL CHECK (lower_is_better IN (0, 1)),
    updated_at       TEXT,
    updated_by       INTEGER REFERENCES users(id)
);

-- meta
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- my_story
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

-- need_reviews
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

-- parent_notifications
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

-- parent_notifications_due
CREATE TABLE parent_notifications_due (
    id               INTEGER PRIMARY KEY,
    pupil_id         INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    status_change_id INTEGER NOT NULL REFERENCES sen_status_history(id) ON DELETE CASCADE,
    change           TEXT NOT NULL CHECK (change IN ('added', 'removed')),
    due_since        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    cleared_at       TEXT
, young_person INTEGER NOT NULL DEFAULT 0
    CHECK (young_person IN (0, 1)), young_person_told_on TEXT, young_person_method TEXT, young_person_recipient TEXT, young_person_entered_at TEXT, young_person_entered_by INTEGER REFERENCES users(id));
CREATE INDEX parent_notifications_due_pupil ON parent_notifications_due(pupil_id);
CREATE INDEX parent_notifications_open ON parent_notifications_due(due_since)
WHERE cleared_at IS NULL;

-- pathway_plans
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

-- plan_reviews
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
CREATE INDEX plan_reviews_due ON plan_reviews(review_date, held_on, pathway_open);
CREATE INDEX plan_reviews_in_force ON plan_reviews(plan_id, pupil_id, pathway_id,
cycle_number) WHERE latest = 1 AND pathway_open = 1;
CREATE INDEX plan_reviews_pupil ON plan_reviews(pupil_id);

-- provision_group_members
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

-- provision_group_slots
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

-- provision_groups
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

-- provision_library
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
, sessions_per_week REAL CHECK (sessions_per_week >= 0));
CREATE UNIQUE INDEX provision_library_name ON provision_library(name_key);

-- provision_measures
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
    removed_by   INTEGER REFERENCES users(id), group_id INTEGER REFERENCES provision_groups(id),
    CHECK (exit_date IS NULL OR entry_date IS NULL OR exit_date >= entry_date)
);
CREATE INDEX provision_measures_complete ON provision_measures(exit_date, pupil_id,
item_id, group_id, kind, name, entry_value, entry_date, exit_value, removed_at)
WHERE removed_at IS NULL AND entry_value IS NOT NULL AND exit_value IS NOT NULL;
CREATE INDEX provision_measures_group ON provision_measures(group_id);
CREATE INDEX provision_measures_item ON provision_measures(item_id);
CREATE INDEX provision_measures_name ON provision_measures(name);
CREATE INDEX provision_measures_pupil ON provision_measures(pupil_id);

-- pupils
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
CREATE INDEX pupils_by_need ON pupils(primary_need, sort_key, search_text)
WHERE archived_at IS NULL AND primary_need IS NOT NULL;
CREATE INDEX pupils_by_review ON pupils(next_review, sort_key)
WHERE archived_at IS NULL AND next_review IS NOT NULL;
CREATE INDEX pupils_by_status ON pupils(sen_status, sort_key, search_text, sen_since,
primary_need)
WHERE archived_at IS NULL AND sen_status IS NOT NULL;
CREATE INDEX pupils_by_year ON pupils(year_rank, sort_key, search_text)
WHERE archived_at IS NULL;
CREATE INDEX pupils_everyone ON pupils(sort_key, search_text);
CREATE INDEX pupils_list ON pupils(sort_key, search_text, sen_status, sen_since,
primary_need, year_rank, class_name, flags, next_review) WHERE archived_at IS NULL;
CREATE INDEX pupils_on_roll ON pupils(admission_date, leaving_date, year_rank);

-- register_entries
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
, pep_review_date TEXT);
CREATE UNIQUE INDEX register_entries_one_open ON register_entries(pupil_id, register)
WHERE end_date IS NULL;
CREATE INDEX register_entries_pupil ON register_entries(pupil_id);

-- review_requests
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

-- school_terms
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

-- sen_needs
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
CREATE UNIQUE INDEX sen_needs_open_code ON sen_needs(pupil_id, code) WHERE end_date IS NULL;
CREATE UNIQUE INDEX sen_needs_open_rank ON sen_needs(pupil_id, rank) WHERE end_date IS NULL;
CREATE INDEX sen_needs_pupil ON sen_needs(pupil_id, start_date);

-- sen_status_history
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
CREATE UNIQUE INDEX sen_status_one_open ON sen_status_history(pupil_id)
WHERE end_date IS NULL;
CREATE INDEX sen_status_pupil ON sen_status_history(pupil_id, start_date);

-- send_pathways
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
CREATE UNIQUE INDEX send_pathways_one_open ON send_pathways(pupil_id) WHERE status = 'open';
CREATE INDEX send_pathways_pupil ON send_pathways(pupil_id, opened_on);

-- short_notes
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

-- specialist_involvements
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

-- specialist_recommendations
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

-- specialist_reports
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
CREATE TRIGGER specialist_reports_fixed BEFORE UPDATE ON specialist_reports
BEGIN SELECT RAISE(ABORT, 'a stored report cannot be changed'); END;

-- specialist_visits
CREATE TABLE specialist_visits (
    id              INTEGER PRIMARY KEY,
    involvement_id  INTEGER NOT NULL REFERENCES specialist_involvements(id) ON DELETE CASCADE,
    visit_date      TEXT NOT NULL,
    notes           TEXT NOT NULL DEFAULT '',
    entered_at      TEXT NOT NULL,
    entered_by      INTEGER REFERENCES users(id)
);
CREATE INDEX specialist_visits_of ON specialist_visits(involvement_id);

-- transfer_scans
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

-- transfers
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
CREATE INDEX transfers_open ON transfers(deadline) WHERE status = 'awaiting acknowledgement';
CREATE INDEX transfers_pupil ON transfers(pupil_id);

-- users
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
