"""A flowchart as data: its questions, answers, outcomes and discussion pages.

The file format (format_version 1) is described for authors in resources/flowcharts/README.md.
In short: "nodes" is a list of questions and outcomes. A question has "answers"; each answer
names the node it leads to ("next"), may propose an area and census need code ("sets") and may
add an action to the final list ("action"). An outcome ends the walk: "monitoring" (quality-first
teaching and the monitoring register), "pathway" (an alternative pathway such as attendance) or
"sen_support" (the SEN register at K). "discussion" lists the pages of free text asked on every
path before the outcome is shown: the short note of the early conversation with parents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...errors import SendeskError

FORMAT = "sendesk-flowchart"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 400
MAX_ANSWERS = 12
MAX_TEXT = 2000
MAX_SHORT_TEXT = 200
MAX_ACTIONS = 20
MAX_REVIEW_WEEKS = 52

OUTCOME_KINDS = {
    "monitoring": "Quality-first teaching and the monitoring register",
    "pathway": "An alternative pathway",
    "sen_support": "SEN support",
}
PATHWAYS = {
    "attendance": "Attendance pathway",
    "exclusion_prevention": "Exclusion prevention pathway",
    "early_help": "Early Help",
    "eal": "EAL team",
    "ihp": "Individual healthcare plan",
}
SET_KEYS = ("area", "need_code")
# The parts of a short note (003 "Short notes") a discussion field can be written into.
NOTE_SECTIONS = ("concern", "parent_discussion", "agreed_actions")


class FlowchartError(SendeskError):
    """A flowchart file that cannot be used; .faults names every problem found."""

    def __init__(self, source: str, faults: Sequence[str]) -> None:
        self.source = source
        self.faults = list(faults)
        count = len(self.faults)
        listing = "\n".join(f"- {fault}" for fault in self.faults)
        super().__init__(f"The flowchart {source} cannot be used ({count} "
                         f"{'fault' if count == 1 else 'faults'}):\n{listing}")


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    next: str
    sets: Mapping[str, str] = field(default_factory=dict)
    action: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[Answer, ...]
    section: str | None = None
    help: str | None = None

    def answer(self, answer_id: str) -> Answer:
        for answer in self.answers:
            if answer.id == answer_id:
                return answer
        raise KeyError(answer_id)


@dataclass(frozen=True)
class Outcome:
    id: str
    kind: str
    title: str
    reason: str
    actions: tuple[str, ...]
    review_weeks: int
    pathway: str | None = None
    sets: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        if self.kind == "pathway" and self.pathway:
            return PATHWAYS[self.pathway]
        return OUTCOME_KINDS[self.kind]


@dataclass(frozen=True)
class DiscussionField:
    id: str
    label: str
    required: bool
    help: str | None = None
    note_section: str = "parent_discussion"


@dataclass(frozen=True)
class DiscussionPage:
    id: str
    title: str
    fields: tuple[DiscussionField, ...]
    intro: str | None = None


@dataclass(frozen=True)
class Flowchart:
    id: str
    version: str
    title: str
    start: str
    nodes: Mapping[str, Question | Outcome]
    discussion: tuple[DiscussionPage, ...]
    digest: str
    intro: str | None = None
    publisher: str | None = None

    @property
    def questions(self) -> list[Question]:
        return [node for node in self.nodes.values() if isinstance(node, Question)]

    @property
    def outcomes(self) -> list[Outcome]:
        return [node for node in self.nodes.values() if isinstance(node, Outcome)]

    def question(self, node_id: str) -> Question:
        node = self.nodes[node_id]
        if not isinstance(node, Question):
            raise KeyError(node_id)
        return node

    @property
    def discussion_fields(self) -> list[DiscussionField]:
        return [item for page in self.discussion for item in page.fields]

    def path_count(self) -> int:
        """How many distinct routes lead from the start to an outcome."""
        memo: dict[str, int] = {}

        def count(node_id: str) -> int:
            if node_id not in memo:
                node = self.nodes[node_id]
                memo[node_id] = 1 if isinstance(node, Outcome) else sum(
                    count(answer.next) for answer in node.answers)
            return memo[node_id]

        return count(self.start)
