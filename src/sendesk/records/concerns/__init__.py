"""Runs of the initial concerns flowchart: drafts saved part-way, and finished runs.

A run belongs to one pupil. While it is a draft it can be saved, resumed and discarded
(``drafts``); finishing it writes the run and everything it leads to (a short note, the
monitoring register or the move to SEN support) into the pupil's record in one transaction,
and finished runs are read back from there (``finished``). What both are checked against (the
pupil, the answers, the discussion and the dates) is in ``checks``.

Who may do what is checked here, not only in the wizard: anyone who may add notes may save,
resume and finish a run; only a user who may change SEN status (the SENCO) may finish one whose
outcome is SEN support. Finished runs cannot be changed (a trigger refuses it).

Callers use the package (``from sendesk.records import concerns``); the names below are its
public face.
"""

from __future__ import annotations

from .checks import (
    MAX_COMMENT,
    MAX_DISCUSSION,
    MAX_REVIEW_DAYS,
    AnswerInput,
    not_available_because,
    proposed_need,
    pupil_name,
    review_date_for,
)
from .drafts import MAX_STATE_BYTES, Draft, DraftSummary, discard_draft, draft_for_pupil, load_draft, save_draft
from .finished import ConcernRun, RecordedAnswer, finish, get_run, list_runs, run_html

__all__ = ["MAX_COMMENT", "MAX_DISCUSSION", "MAX_REVIEW_DAYS", "MAX_STATE_BYTES", "AnswerInput",
           "ConcernRun", "Draft", "DraftSummary", "RecordedAnswer", "discard_draft",
           "draft_for_pupil", "finish", "get_run", "list_runs", "load_draft",
           "not_available_because", "proposed_need", "pupil_name", "review_date_for", "run_html",
           "save_draft"]
