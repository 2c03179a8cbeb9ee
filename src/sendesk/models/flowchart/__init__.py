"""Flowcharts kept as data: loading, checking and walking them.

Each local authority draws its own initial concerns flowchart, so sendesk reads it from a JSON
file (resources/flowcharts/) rather than from code. A file is checked completely before it is
used (``check``), and every fault is named. ``model`` holds the flowchart itself, ``walker`` the
engine that follows answers through it, and ``loading`` reads a file or the shipped default.
Nothing here touches the database or Qt.

Callers import this package (``from sendesk.models import flowchart as fc``); the names below
are its public face.
"""

from __future__ import annotations

from .check import parse
from .loading import default_path, load_bytes, load_default, load_file
from .model import (
                    FORMAT,
                    FORMAT_VERSION,
                    MAX_ACTIONS,
                    MAX_ANSWERS,
                    MAX_FILE_BYTES,
                    MAX_NODES,
                    MAX_REVIEW_WEEKS,
                    MAX_SHORT_TEXT,
                    MAX_TEXT,
                    NOTE_SECTIONS,
                    OUTCOME_KINDS,
                    PATHWAYS,
                    SET_KEYS,
                    Answer,
                    DiscussionField,
                    DiscussionPage,
                    Flowchart,
                    FlowchartError,
                    Outcome,
                    Question,
)
from .walker import Step, Walk, WalkError, walk, walk_prefix

__all__ = ["FORMAT", "FORMAT_VERSION", "MAX_ACTIONS", "MAX_ANSWERS", "MAX_FILE_BYTES", "MAX_NODES",
           "MAX_REVIEW_WEEKS", "MAX_SHORT_TEXT", "MAX_TEXT", "NOTE_SECTIONS", "OUTCOME_KINDS",
           "PATHWAYS", "SET_KEYS", "Answer", "DiscussionField", "DiscussionPage", "Flowchart",
           "FlowchartError", "Outcome", "Question", "Step", "Walk", "WalkError", "default_path",
           "load_bytes", "load_default", "load_file", "parse", "walk", "walk_prefix"]
