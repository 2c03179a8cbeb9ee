"""Checking a flowchart completely before it is used, naming every fault so the person who wrote
it can mend it without reading code: wrong or missing fields, duplicate ids, answers that lead
nowhere (dangling branches), questions that can never be reached, loops (cycles), places from
which no outcome can be reached, and SEN support outcomes that could be reached without a need
being proposed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from .model import (
    FORMAT,
    FORMAT_VERSION,
    MAX_ACTIONS,
    MAX_ANSWERS,
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

_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")


def parse(raw: Any, source: str = "file", digest: str = "") -> Flowchart:
    """Check a decoded flowchart completely; FlowchartError lists every fault found."""
    checker = _Checker()
    flowchart = checker.build(raw, digest)
    if checker.faults or flowchart is None:
        raise FlowchartError(source, checker.faults or ["the file is not a flowchart"])
    return flowchart


def _need_vocabulary() -> tuple[dict[str, str], dict[str, str | None]]:
    """Area codes and census need codes (with each code's area) from the register's data."""
    from ..sen import areas, need_codes
    return dict(areas()), {code: rule.area for code, rule in need_codes().items()}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "empty (null)"


class _Checker:
    """Collects every fault rather than stopping at the first."""

    def __init__(self) -> None:
        self.faults: list[str] = []
        self.area_codes, self.need_areas = _need_vocabulary()

    def fault(self, text: str) -> None:
        text = text.removeprefix("the file: ")  # faults in the top level need no place name
        if text not in self.faults:
            self.faults.append(text)

    # field helpers: each returns the value when it is usable, else None (after noting a fault)

    def _fields(self, obj: Mapping[str, Any], where: str, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in obj:
            if key not in allowed:
                self.fault(f"{where}: unknown field '{key}' (check the spelling; allowed: "
                           f"{', '.join(sorted(allowed))})")

    def _text(self, obj: Mapping[str, Any], key: str, where: str, *, required: bool = True,
              limit: int = MAX_TEXT) -> str | None:
        if key not in obj or obj[key] is None:
            if required:
                self.fault(f"{where}: the field '{key}' is missing")
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.fault(f"{where}: '{key}' should be text, not {_kind(value)}")
            return None
        value = unicodedata.normalize("NFC", value).strip()
        if required and not value:
            self.fault(f"{where}: '{key}' is empty")
            return None
        if len(value) > limit:
            self.fault(f"{where}: '{key}' is too long ({len(value)} characters; at most {limit})")
            return None
        if any(unicodedata.category(char) in ("Cc", "Cf") and char not in "\n\u200d"
               for char in value):
            self.fault(f"{where}: '{key}' contains a hidden control character")
            return None
        return value or None

    def _id(self, obj: Mapping[str, Any], key: str, where: str) -> str | None:
        value = self._text(obj, key, where, limit=40)
        if value is not None and not _ID.fullmatch(value):
            self.fault(f"{where}: '{key}' is '{value}'; an id is lower-case letters, digits, '-' "
                       "or '_', starting with a letter (at most 40 characters)")
            return None
        return value

    def _object(self, value: Any, where: str) -> dict | None:
        if not isinstance(value, dict):
            self.fault(f"{where} should be an object ({{...}}), not {_kind(value)}")
            return None
        return value

    def _list(self, obj: Mapping[str, Any], key: str, where: str, *, required: bool = True,
              limit: int = MAX_NODES) -> list | None:
        if key not in obj:
            if required:
                self.fault(f"{where}: the field '{key}' is missing")
            return None
        value = obj[key]
        if not isinstance(value, list):
            self.fault(f"{where}: '{key}' should be a list ([...]), not {_kind(value)}")
            return None
        if required and not value:
            self.fault(f"{where}: '{key}' is empty")
            return None
        if len(value) > limit:
            self.fault(f"{where}: '{key}' has {len(value)} entries; at most {limit} are allowed")
            return None
        return value

    # the file

    def build(self, raw: Any, digest: str) -> Flowchart | None:
        top = self._object(raw, "the file")
        if top is None:
            return None
        self._fields(top, "the file", ("format", "format_version", "id", "version", "title",
                                       "publisher", "intro", "start", "discussion", "nodes"))
        if top.get("format") != FORMAT:
            self.fault(f"the file: 'format' should be \"{FORMAT}\" (is this a sendesk flowchart?)")
        version = top.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int):
            self.fault(f"the file: 'format_version' should be the number {FORMAT_VERSION}")
        elif version > FORMAT_VERSION:
            self.fault(f"the file: it uses format_version {version}, which is newer than this "
                       f"sendesk understands ({FORMAT_VERSION}); update sendesk")
        elif version != FORMAT_VERSION:
            self.fault(f"the file: 'format_version' should be {FORMAT_VERSION}")
        chart_id = self._id(top, "id", "the file")
        chart_version = self._text(top, "version", "the file", limit=20)
        if chart_version is not None and not _VERSION.fullmatch(chart_version):
            self.fault("the file: 'version' should be short, like 1.0 or 2025-09 (letters, digits, "
                       "'.', '-' or '_')")
            chart_version = None
        title = self._text(top, "title", "the file", limit=MAX_SHORT_TEXT)
        publisher = self._text(top, "publisher", "the file", required=False, limit=MAX_SHORT_TEXT)
        intro = self._text(top, "intro", "the file", required=False)
        start = self._id(top, "start", "the file")
        discussion = self._discussion(top)
        nodes = self._nodes(top)
        if nodes is None:
            return None
        self._graph(nodes, start)
        if (self.faults or chart_id is None or chart_version is None or title is None
                or start is None or discussion is None):
            return None
        return Flowchart(chart_id, chart_version, title, start, nodes, discussion, digest,
                         intro, publisher)

    def _discussion(self, top: Mapping[str, Any]) -> tuple[DiscussionPage, ...] | None:
        pages_raw = self._list(top, "discussion", "the file", required=False, limit=10)
        if pages_raw is None:
            return () if "discussion" not in top else None
        pages = []
        seen: set[str] = set()
        ok = True
        for index, page_raw in enumerate(pages_raw, start=1):
            where = f"discussion page {index}"
            page = self._object(page_raw, where)
            if page is None:
                ok = False
                continue
            self._fields(page, where, ("id", "title", "intro", "fields"))
            page_id = self._id(page, "id", where)
            where = f"discussion page '{page_id}'" if page_id else where
            title = self._text(page, "title", where, limit=MAX_SHORT_TEXT)
            intro = self._text(page, "intro", where, required=False)
            fields = []
            for f_index, field_raw in enumerate(self._list(page, "fields", where, limit=12) or [],
                                                start=1):
                f_where = f"{where}, field {f_index}"
                item = self._object(field_raw, f_where)
                if item is None:
                    ok = False
                    continue
                self._fields(item, f_where, ("id", "label", "help", "required", "note_section"))
                field_id = self._id(item, "id", f_where)
                f_where = f"{where}, field '{field_id}'" if field_id else f_where
                label = self._text(item, "label", f_where, limit=MAX_SHORT_TEXT)
                help_text = self._text(item, "help", f_where, required=False)
                required = item.get("required", False)
                if not isinstance(required, bool):
                    self.fault(f"{f_where}: 'required' should be true or false, not {_kind(required)}")
                    required = None
                section = item.get("note_section", "parent_discussion")
                if section not in NOTE_SECTIONS:
                    self.fault(f"{f_where}: 'note_section' should be one of "
                               f"{', '.join(NOTE_SECTIONS)}")
                    section = None
                if field_id is not None:
                    if field_id in seen:
                        self.fault(f"{f_where}: the id '{field_id}' is used twice in the discussion")
                    seen.add(field_id)
                if field_id is None or label is None or required is None or section is None:
                    ok = False
                    continue
                fields.append(DiscussionField(field_id, label, required, help_text, section))
            if page_id is not None:
                if page_id in seen:
                    self.fault(f"{where}: the id '{page_id}' is used twice in the discussion")
                seen.add(page_id)
            if page_id is None or title is None or not fields:
                ok = False
                continue
            pages.append(DiscussionPage(page_id, title, tuple(fields), intro))
        return tuple(pages) if ok else None

    def _nodes(self, top: Mapping[str, Any]) -> dict[str, Question | Outcome] | None:
        nodes_raw = self._list(top, "nodes", "the file")
        if nodes_raw is None:
            return None
        nodes: dict[str, Question | Outcome] = {}
        for index, node_raw in enumerate(nodes_raw, start=1):
            where = f"node {index}"
            node = self._object(node_raw, where)
            if node is None:
                continue
            node_id = self._id(node, "id", where)
            if node_id is not None:
                where = f"node '{node_id}'"
            kind = node.get("type")
            if kind == "question":
                built: Question | Outcome | None = self._question(node, node_id, where)
            elif kind == "outcome":
                built = self._outcome(node, node_id, where)
            else:
                self.fault(f"{where}: 'type' should be \"question\" or \"outcome\"")
                continue
            if node_id is None:
                continue
            if node_id in nodes:
                self.fault(f"{where}: the id '{node_id}' is used by more than one node")
                continue
            if built is not None:
                nodes[node_id] = built
            else:
                # Keep a placeholder so other nodes' links to it are not also reported as dangling.
                nodes[node_id] = Outcome(node_id, "monitoring", "", "", (), 1)
        return nodes

    def _sets(self, obj: Mapping[str, Any], where: str) -> dict[str, str] | None:
        if "sets" not in obj:
            return {}
        sets = self._object(obj["sets"], f"{where}: 'sets'")
        if sets is None:
            return None
        self._fields(sets, f"{where}: 'sets'", SET_KEYS)
        result = {}
        area = self._text(sets, "area", f"{where}: 'sets'", required=False, limit=10)
        if area is not None:
            if area not in self.area_codes:
                self.fault(f"{where}: area '{area}' is not one of the four broad areas of need "
                           f"({', '.join(self.area_codes)})")
                return None
            result["area"] = area
        need = self._text(sets, "need_code", f"{where}: 'sets'", required=False, limit=10)
        if need is not None:
            if need not in self.need_areas:
                self.fault(f"{where}: '{need}' is not a census type-of-need code "
                           f"({', '.join(self.need_areas)})")
                return None
            result["need_code"] = need
            need_area = self.need_areas[need]
            if area is not None and need_area is not None and need_area != area:
                self.fault(f"{where}: need code {need} belongs to area {need_area}, not {area}")
                return None
        return result

    def _question(self, node: Mapping[str, Any], node_id: str | None, where: str) -> Question | None:
        self._fields(node, where, ("id", "type", "section", "text", "help", "answers"))
        section = self._text(node, "section", where, required=False, limit=MAX_SHORT_TEXT)
        text = self._text(node, "text", where)
        help_text = self._text(node, "help", where, required=False)
        if "answers" in node and isinstance(node["answers"], list) and not node["answers"]:
            self.fault(f"{where}: the question has no answers, so the flowchart would stop there "
                       "without an outcome")
            return None
        answers_raw = self._list(node, "answers", where, limit=MAX_ANSWERS)
        if answers_raw is None:
            return None
        answers = []
        seen: set[str] = set()
        ok = True
        for index, answer_raw in enumerate(answers_raw, start=1):
            a_where = f"{where}, answer {index}"
            item = self._object(answer_raw, a_where)
            if item is None:
                ok = False
                continue
            self._fields(item, a_where, ("id", "label", "next", "sets", "action"))
            answer_id = self._id(item, "id", a_where)
            if answer_id is not None:
                a_where = f"{where}, answer '{answer_id}'"
                if answer_id in seen:
                    self.fault(f"{a_where}: the answer id '{answer_id}' is used twice in this question")
                    ok = False
                seen.add(answer_id)
            label = self._text(item, "label", a_where, limit=MAX_TEXT)
            target = self._id(item, "next", a_where)
            sets = self._sets(item, a_where)
            action = self._text(item, "action", a_where, required=False)
            if answer_id is None or label is None or target is None or sets is None:
                ok = False
                continue
            answers.append(Answer(answer_id, label, target, sets, action))
        if not ok or node_id is None or text is None:
            # Still hand back the links that could be read, so the graph checks can run.
            if node_id is not None and answers:
                return Question(node_id, text or "", tuple(answers), section, help_text)
            return None
        return Question(node_id, text, tuple(answers), section, help_text)

    def _outcome(self, node: Mapping[str, Any], node_id: str | None, where: str) -> Outcome | None:
        self._fields(node, where, ("id", "type", "kind", "pathway", "title", "reason", "actions",
                                   "review_weeks", "sets"))
        kind = node.get("kind")
        if kind not in OUTCOME_KINDS:
            self.fault(f"{where}: 'kind' should be one of {', '.join(OUTCOME_KINDS)}")
            kind = None
        pathway = node.get("pathway")
        if kind == "pathway":
            if pathway not in PATHWAYS:
                self.fault(f"{where}: a pathway outcome needs 'pathway', one of "
                           f"{', '.join(PATHWAYS)}")
                pathway = None
        elif pathway is not None:
            self.fault(f"{where}: 'pathway' is only used when 'kind' is \"pathway\"")
            pathway = None
        title = self._text(node, "title", where, limit=MAX_SHORT_TEXT)
        reason = self._text(node, "reason", where)
        actions: list[str] = []
        for index, action in enumerate(self._list(node, "actions", where, required=False,
                                                  limit=MAX_ACTIONS) or [], start=1):
            value = self._text({"action": action}, "action", f"{where}, action {index}")
            if value is not None:
                actions.append(value)
        weeks = node.get("review_weeks")
        if isinstance(weeks, bool) or not isinstance(weeks, int):
            self.fault(f"{where}: 'review_weeks' should be a whole number of weeks (1 to "
                       f"{MAX_REVIEW_WEEKS}), not {_kind(weeks) if weeks is not None else 'missing'}")
            weeks = None
        elif not 1 <= weeks <= MAX_REVIEW_WEEKS:
            self.fault(f"{where}: 'review_weeks' should be from 1 to {MAX_REVIEW_WEEKS}, not {weeks}")
            weeks = None
        sets = self._sets(node, where)
        if (node_id is None or kind is None or title is None or reason is None or weeks is None
                or sets is None or (kind == "pathway" and not pathway)):
            return None
        return Outcome(node_id, kind, title, reason, tuple(actions), weeks, pathway, sets)

    # the shape of the whole chart

    def _graph(self, nodes: Mapping[str, Question | Outcome], start: str | None) -> None:
        links: dict[str, list[str]] = {}
        for node_id, node in nodes.items():
            links[node_id] = []
            if isinstance(node, Question):
                for answer in node.answers:
                    if answer.next not in nodes:
                        self.fault(f"node '{node_id}', answer '{answer.id}': it leads to "
                                   f"'{answer.next}', which is not a node in the file (a dangling "
                                   "branch)")
                    else:
                        links[node_id].append(answer.next)
        if not any(isinstance(node, Outcome) for node in nodes.values()):
            self.fault("the file has no outcome nodes, so no walk through it can end")
        if start is None:
            return
        if start not in nodes:
            self.fault(f"the file: 'start' names '{start}', which is not a node in the file")
            return
        if isinstance(nodes[start], Outcome):
            self.fault(f"the file: 'start' names '{start}', which is an outcome; start with a question")

        reached = {start}
        queue = [start]
        while queue:
            for target in links[queue.pop()]:
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        for node_id in nodes:
            if node_id not in reached:
                self.fault(f"node '{node_id}' cannot be reached from the start ('{start}'): no "
                           "answer leads to it")

        cycles = self._cycles(links, start)
        for cycle in cycles:
            self.fault("the answers go round in a loop (a cycle): " + " → ".join(cycle))

        # Every node the start can reach must be able to reach an outcome.
        reverse: dict[str, list[str]] = {node_id: [] for node_id in nodes}
        for node_id, targets in links.items():
            for target in targets:
                reverse[target].append(node_id)
        finishes = {node_id for node_id, node in nodes.items() if isinstance(node, Outcome)}
        queue = list(finishes)
        while queue:
            for source in reverse[queue.pop()]:
                if source not in finishes:
                    finishes.add(source)
                    queue.append(source)
        for node_id in nodes:
            if node_id in reached and node_id not in finishes:
                self.fault(f"node '{node_id}': no outcome can be reached from it (a missing outcome)")

        if not cycles and not self.faults:
            self._proposals(nodes, links, start)

    @staticmethod
    def _cycles(links: Mapping[str, list[str]], start: str) -> list[list[str]]:
        """Each loop once, found by an iterative depth-first search (no recursion limit)."""
        colour: dict[str, int] = {}
        found: list[list[str]] = []
        seen_sets: set[frozenset[str]] = set()
        roots = [start] + [node_id for node_id in links if node_id != start]
        for root in roots:
            if colour.get(root):
                continue
            path: list[str] = [root]
            colour[root] = 1
            stack = [iter(links[root])]
            while stack:
                target = next(stack[-1], None)
                if target is None:
                    stack.pop()
                    colour[path.pop()] = 2
                    continue
                state = colour.get(target, 0)
                if state == 1:
                    loop = path[path.index(target):] + [target]
                    key = frozenset(loop)
                    if key not in seen_sets:
                        seen_sets.add(key)
                        found.append(loop)
                elif state == 0:
                    colour[target] = 1
                    path.append(target)
                    stack.append(iter(links[target]))
        return found

    def _proposals(self, nodes: Mapping[str, Question | Outcome], links: Mapping[str, list[str]],
                   start: str) -> None:
        """Every route to an SEN support outcome must have proposed an area and a need code."""
        order: list[str] = []
        visited: set[str] = set()

        def visit(node_id: str) -> None:  # depth is bounded by MAX_NODES
            visited.add(node_id)
            for target in links[node_id]:
                if target not in visited:
                    visit(target)
            order.append(node_id)

        visit(start)
        order.reverse()
        missing: dict[str, set[str]] = {node_id: set() for node_id in order}
        missing[start] = set(SET_KEYS)
        for node_id in order:
            node = nodes[node_id]
            if isinstance(node, Question):
                for answer in node.answers:
                    missing[answer.next] |= missing[node_id] - set(answer.sets)
            elif node.kind == "sen_support":
                unset = missing[node_id] - set(node.sets)
                if unset:
                    names = {"area": "an area of need", "need_code": "a census need code"}
                    self.fault(f"node '{node_id}': this SEN support outcome can be reached without "
                               f"{' or '.join(names[key] for key in sorted(unset))} being proposed "
                               "(add 'sets' to the answers on the way)")
