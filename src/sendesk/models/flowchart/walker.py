"""The engine: given the answers so far, where a walk through a flowchart has got to, what has
been proposed and which actions have been collected."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...errors import SendeskError
from .model import Answer, Flowchart, Outcome, Question

# One answer as the caller gives it: (question id, answer id) or with the person's comment too.
AnswerEntry = tuple[str, str] | tuple[str, str, str]


@dataclass(frozen=True)
class Step:
    """One answered question on the way through, with the person's optional comment."""

    question: Question
    answer: Answer
    comment: str = ""


@dataclass(frozen=True)
class Walk:
    """Where a walk through the flowchart has got to."""

    flowchart: Flowchart
    steps: tuple[Step, ...]
    current: Question | Outcome

    @property
    def finished(self) -> bool:
        return isinstance(self.current, Outcome)

    @property
    def outcome(self) -> Outcome | None:
        return self.current if isinstance(self.current, Outcome) else None

    @property
    def proposed(self) -> dict[str, str]:
        """The area of need and census code proposed along the way (later answers win)."""
        values: dict[str, str] = {}
        for step in self.steps:
            values.update(step.answer.sets)
        if isinstance(self.current, Outcome):
            values.update(self.current.sets)
        return values

    @property
    def actions(self) -> list[str]:
        """Actions picked up from the answers given, then the outcome's own, without repeats."""
        found: list[str] = []
        for step in self.steps:
            if step.answer.action and step.answer.action not in found:
                found.append(step.answer.action)
        if isinstance(self.current, Outcome):
            found.extend(action for action in self.current.actions if action not in found)
        return found


class WalkError(SendeskError):
    """Answers that do not fit the flowchart (for example a draft saved against an older one)."""

    def __init__(self, message: str, applied: int) -> None:
        super().__init__(message)
        self.applied = applied


def walk(flowchart: Flowchart, answers: Iterable[AnswerEntry]) -> Walk:
    """Follow (question id, answer id[, comment]) pairs from the start, in order.

    Every pair must answer the question the walk has reached; anything else is refused with
    WalkError, whose .applied says how many answers did fit.
    """
    current: Question | Outcome = flowchart.nodes[flowchart.start]
    steps: list[Step] = []
    for item in answers:
        node_id, answer_id = item[0], item[1]
        comment = item[2] if len(item) > 2 else ""
        if isinstance(current, Outcome):
            raise WalkError(f"There is an answer for '{node_id}' after the flowchart has already "
                            "reached its outcome.", len(steps))
        if node_id != current.id:
            raise WalkError(f"The answer for '{node_id}' does not follow on from the question "
                            f"'{current.id}'.", len(steps))
        try:
            answer = current.answer(answer_id)
        except KeyError:
            raise WalkError(f"'{answer_id}' is not one of the answers to '{node_id}'.",
                            len(steps)) from None
        steps.append(Step(current, answer, comment or ""))
        current = flowchart.nodes[answer.next]
    return Walk(flowchart, tuple(steps), current)


def walk_prefix(flowchart: Flowchart, answers: Sequence[AnswerEntry]) -> tuple[Walk, int]:
    """Follow as many answers as still fit (for resuming against a changed flowchart)."""
    try:
        return walk(flowchart, answers), len(answers)
    except WalkError as exc:
        return walk(flowchart, answers[:exc.applied]), exc.applied
