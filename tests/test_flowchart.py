"""Flowchart files: the shipped flowchart is sound and every route through it ends in an
outcome; broken files are refused with each fault named; the engine walks answers correctly."""

from __future__ import annotations

import copy
import json

import pytest

from sendesk.cli.main import main as cli_main
from sendesk.models import flowchart as fc
from sendesk.models import sen


def small() -> dict:
    """A tiny sound flowchart to break in different ways."""
    return {
        "format": "sendesk-flowchart", "format_version": 1, "id": "tiny", "version": "1",
        "title": "Tiny", "start": "q1",
        "discussion": [{"id": "talk", "title": "Talk", "fields": [
            {"id": "parent_views", "label": "Parents said", "required": True}]}],
        "nodes": [
            {"id": "q1", "type": "question", "text": "First?", "answers": [
                {"id": "yes", "label": "Yes", "next": "q2"},
                {"id": "no", "label": "No", "next": "done"}]},
            {"id": "q2", "type": "question", "text": "Second?", "answers": [
                {"id": "learning", "label": "Learning", "next": "sen", "sets": {"area": "CL", "need_code": "MLD"}},
                {"id": "other", "label": "Other", "next": "done", "action": "Do a thing."}]},
            {"id": "done", "type": "outcome", "kind": "monitoring", "title": "Monitor",
             "reason": "Because.", "actions": ["Watch."], "review_weeks": 6},
            {"id": "sen", "type": "outcome", "kind": "sen_support", "title": "SEN support",
             "reason": "Because.", "review_weeks": 12},
        ],
    }


def node(chart: dict, node_id: str) -> dict:
    return next(item for item in chart["nodes"] if item.get("id") == node_id)


def faults_of(chart) -> list[str]:
    data = chart if isinstance(chart, bytes) else json.dumps(chart).encode()
    with pytest.raises(fc.FlowchartError) as caught:
        fc.load_bytes(data, "test.json")
    assert str(caught.value).startswith("The flowchart test.json cannot be used")
    return caught.value.faults


def test_small_chart_is_sound():
    chart = fc.parse(small())
    assert chart.path_count() == 3
    assert [q.id for q in chart.questions] == ["q1", "q2"]


# --- the shipped flowchart ------------------------------------------------------------------

def all_routes(chart: fc.Flowchart):
    """Every route from the start as a list of (question, answer) pairs."""
    pending = [[]]
    while pending:
        route = pending.pop()
        current = fc.walk(chart, route).current
        if isinstance(current, fc.Outcome):
            yield route
            continue
        for answer in current.answers:
            pending.append(route + [(current.id, answer.id)])


def test_shipped_flowchart_loads_and_every_route_ends_in_a_sound_outcome():
    chart = fc.load_default()
    assert chart.id == "initial-concerns"
    routes = list(all_routes(chart))
    assert len(routes) == chart.path_count() > 100
    reached = set()
    for route in routes:
        result = fc.walk(chart, route)
        assert result.finished
        outcome = result.outcome
        reached.add(outcome.id)
        assert outcome.reason and outcome.title and result.actions
        if outcome.kind == "sen_support":
            proposed = result.proposed
            assert proposed["area"] in sen.areas()
            sen.clean_needs([proposed["need_code"]], "K")
    assert reached == {outcome.id for outcome in chart.outcomes}


def test_shipped_flowchart_has_every_pathway_and_the_four_areas():
    chart = fc.load_default()
    kinds = {outcome.kind for outcome in chart.outcomes}
    assert kinds == {"monitoring", "pathway", "sen_support"}
    assert {o.pathway for o in chart.outcomes if o.kind == "pathway"} == set(fc.PATHWAYS)
    areas = {answer.sets.get("area") for q in chart.questions for answer in q.answers}
    assert set(sen.areas()) <= areas
    assert chart.discussion_fields and any(f.id == "parent_views" for f in chart.discussion_fields)


def test_cli_check_passes_the_shipped_flowchart(capsys):
    assert cli_main(["flowchart", "check", str(fc.default_path())]) == 0
    out = capsys.readouterr().out
    assert "is sound" in out and "routes" in out


# --- broken files -------------------------------------------------------------------------

def test_unreachable_node_is_named():
    chart = small()
    chart["nodes"].append({"id": "lonely", "type": "outcome", "kind": "monitoring",
                           "title": "T", "reason": "R", "review_weeks": 2})
    faults = faults_of(chart)
    assert faults == ["node 'lonely' cannot be reached from the start ('q1'): no answer leads to it"]


def test_dangling_branch_is_named():
    chart = small()
    node(chart, "q1")["answers"][1]["next"] = "nowhere"
    faults = faults_of(chart)
    assert any("node 'q1', answer 'no': it leads to 'nowhere'" in f and "dangling" in f
               for f in faults), faults


def test_cycle_is_named_with_its_route():
    chart = small()
    node(chart, "q2")["answers"][1]["next"] = "q1"
    faults = faults_of(chart)
    assert "the answers go round in a loop (a cycle): q1 → q2 → q1" in faults


def test_loop_with_no_way_out_is_a_missing_outcome():
    chart = small()
    node(chart, "q2")["answers"] = [{"id": "on", "label": "On", "next": "q3"}]
    chart["nodes"][3] = {"id": "q3", "type": "question", "text": "Third?",
                         "answers": [{"id": "back", "label": "Back", "next": "q2"}]}
    faults = faults_of(chart)
    assert "node 'q2': no outcome can be reached from it (a missing outcome)" in faults
    assert "node 'q3': no outcome can be reached from it (a missing outcome)" in faults
    assert "the answers go round in a loop (a cycle): q2 → q3 → q2" in faults


def test_question_without_answers_is_a_missing_outcome():
    chart = small()
    node(chart, "q2")["answers"] = []
    assert any("node 'q2': the question has no answers" in f for f in faults_of(chart))


def test_chart_without_outcomes_is_refused():
    chart = small()
    chart["nodes"] = [{"id": "q1", "type": "question", "text": "?", "answers": [
        {"id": "a", "label": "A", "next": "q1"}]}]
    chart["discussion"] = []
    faults = faults_of(chart)
    assert any("no outcome nodes" in f for f in faults)


def test_duplicate_ids_are_named():
    chart = small()
    chart["nodes"].append(copy.deepcopy(node(chart, "done")))
    node(chart, "q1")["answers"][1]["id"] = "yes"
    faults = faults_of(chart)
    assert any("node 'done': the id 'done' is used by more than one node" in f for f in faults)
    assert any("answer id 'yes' is used twice" in f for f in faults)


def test_bad_field_types_are_each_named():
    chart = small()
    node(chart, "q1")["text"] = 42
    node(chart, "done")["review_weeks"] = "six"
    node(chart, "sen")["review_weeks"] = True
    node(chart, "q2")["answers"][0]["label"] = ["Learning"]
    chart["discussion"][0]["fields"][0]["required"] = "yes"
    chart["version"] = 2
    faults = faults_of(chart)
    expected = ["node 'q1': 'text' should be text, not a number",
                "node 'done': 'review_weeks' should be a whole number",
                "node 'sen': 'review_weeks' should be a whole number",
                "node 'q2', answer 'learning': 'label' should be text, not a list",
                "'required' should be true or false, not text",
                "'version' should be text, not a number"]
    for text in expected:
        assert any(text in fault for fault in faults), (text, faults)


def test_unknown_fields_and_codes_are_named():
    chart = small()
    node(chart, "q1")["answers"][0]["nxt"] = "q2"
    node(chart, "q2")["answers"][0]["sets"] = {"area": "CL", "need_code": "ADHD"}
    node(chart, "done")["kind"] = "wait"
    faults = faults_of(chart)
    assert any("unknown field 'nxt'" in f for f in faults)
    assert any("'ADHD' is not a census type-of-need code" in f for f in faults)
    assert any("node 'done': 'kind' should be one of" in f for f in faults)


def test_need_code_must_belong_to_its_area():
    chart = small()
    node(chart, "q2")["answers"][0]["sets"] = {"area": "SP", "need_code": "MLD"}
    assert any("need code MLD belongs to area CL, not SP" in f for f in faults_of(chart))


def test_sen_support_reachable_without_a_proposed_need_is_refused():
    chart = small()
    del node(chart, "q2")["answers"][0]["sets"]
    faults = faults_of(chart)
    assert faults == ["node 'sen': this SEN support outcome can be reached without an area of need "
                      "or a census need code being proposed (add 'sets' to the answers on the way)"]


def test_pathway_outcome_needs_a_known_pathway():
    chart = small()
    node(chart, "done").update(kind="pathway", pathway="social_services")
    assert any("a pathway outcome needs 'pathway'" in f for f in faults_of(chart))


def test_start_must_exist():
    chart = small()
    chart["start"] = "q9"
    assert "'start' names 'q9', which is not a node in the file" in faults_of(chart)


def test_newer_format_asks_for_a_newer_sendesk():
    chart = small()
    chart["format_version"] = 2
    assert any("newer than this sendesk understands" in f for f in faults_of(chart))


@pytest.mark.parametrize("data, expected", [
    (b"", "not valid JSON"),
    (b"\x00\x01\x02junk\xff\xfe", "not UTF-8"),
    (b"{\"format\": \"sendesk-flowchart\",", "not valid JSON"),
    (b"[1, 2, 3]", "should be an object"),
    (b"null", "should be an object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"<html><body>not a flowchart</body></html>", "not valid JSON"),
])
def test_junk_is_refused_with_a_plain_message(data, expected):
    faults = faults_of(data)
    assert any(expected in fault for fault in faults), faults
    assert not any("Traceback" in fault or "JSONDecodeError" in fault for fault in faults)


def test_huge_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "huge.json"
    with open(big, "wb") as handle:
        handle.write(b'{"nodes": [' + b'{"id": "x"},' * 200_000 + b'{}]}')
    with pytest.raises(fc.FlowchartError) as caught:
        fc.load_file(big)
    assert "a flowchart file may be at most 512 KB" in caught.value.faults[0]


def test_too_many_nodes_is_refused():
    chart = small()
    chart["nodes"] += [{"id": f"n{i}", "type": "outcome", "kind": "monitoring", "title": "T",
                        "reason": "R", "review_weeks": 1} for i in range(fc.MAX_NODES)]
    assert any("at most 400 are allowed" in f for f in faults_of(chart))


def test_hidden_control_characters_are_refused():
    chart = small()
    node(chart, "q1")["text"] = "Is it \u202eevil?"
    assert any("hidden control character" in f for f in faults_of(chart))


def test_byte_order_mark_is_accepted():
    assert fc.load_bytes(b"\xef\xbb\xbf" + json.dumps(small()).encode()).id == "tiny"


def test_missing_and_folder_files_are_named(tmp_path):
    with pytest.raises(fc.FlowchartError, match="cannot be found"):
        fc.load_file(tmp_path / "absent.json")
    with pytest.raises(fc.FlowchartError, match="folder"):
        fc.load_file(tmp_path)


def test_cli_names_each_fault_and_fails(tmp_path, capsys):
    chart = small()
    node(chart, "q1")["answers"][1]["next"] = "nowhere"
    node(chart, "q2")["answers"][1]["next"] = "q1"
    path = tmp_path / "la.json"
    path.write_text(json.dumps(chart), encoding="utf-8")
    assert cli_main(["flowchart", "check", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "la.json: node 'q1', answer 'no': it leads to 'nowhere', which is not a node in the file "
        "(a dangling branch)",
        "la.json: node 'done' cannot be reached from the start ('q1'): no answer leads to it",
        "la.json: the answers go round in a loop (a cycle): q1 → q2 → q1"]
    assert captured.err == ("sendesk-cli: la.json has 3 faults; sendesk will not use it until "
                            "they are fixed.\n")


# --- the engine -----------------------------------------------------------------------------

def test_walk_collects_actions_and_proposals():
    chart = fc.parse(small())
    result = fc.walk(chart, [("q1", "yes"), ("q2", "learning", "seen in maths")])
    assert result.finished and result.outcome.id == "sen"
    assert result.proposed == {"area": "CL", "need_code": "MLD"}
    assert result.steps[1].comment == "seen in maths"
    other = fc.walk(chart, [("q1", "yes"), ("q2", "other")])
    assert other.actions == ["Do a thing.", "Watch."]


def test_walk_part_way_and_refusals():
    chart = fc.parse(small())
    assert fc.walk(chart, []).current.id == "q1"
    assert not fc.walk(chart, [("q1", "yes")]).finished
    with pytest.raises(fc.WalkError) as caught:
        fc.walk(chart, [("q2", "learning")])
    assert caught.value.applied == 0
    with pytest.raises(fc.WalkError):
        fc.walk(chart, [("q1", "maybe")])
    with pytest.raises(fc.WalkError) as caught:
        fc.walk(chart, [("q1", "no"), ("q2", "other")])
    assert caught.value.applied == 1
    result, applied = fc.walk_prefix(chart, [("q1", "yes"), ("q2", "gone")])
    assert applied == 1 and result.current.id == "q2"


def test_nsa_outcome_overrides_the_proposed_code():
    chart = fc.load_default()
    route = [("teaching", "yes"), ("attendance", "no"), ("medical", "no"), ("short_term", "no"),
             ("looked_after", "no"), ("family", "no"), ("eal", "no"), ("behaviour", "no"),
             ("attainment", "no"), ("additional", "yes"), ("parents_agree", "yes"),
             ("screen_area", "learning"), ("screen_learning", "specific"),
             ("screen_assessed", "not_yet")]
    result = fc.walk(chart, route)
    assert result.outcome.id == "out_sen_support_unassessed"
    assert result.proposed == {"area": "CL", "need_code": "NSA"}
