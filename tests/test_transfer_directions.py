"""Which way a measure improves travels with the pupil's file (transfer/directions.py): the
sending school's answer for every measure name in the record goes in the package; the
receiving school takes it where it has not answered, changes nothing where it says the same,
and keeps its own where it says otherwise, saying so before Import. A package made before the
field is read as before; one whose answer is not true or false is refused in one sentence and
nothing is written. The sender's SEND file PDF says "(lower is better)" on such a measure."""

from __future__ import annotations

import json

import pyrage
import pytest
from tests.concerns_support import add_pupil
from tests.records_fixtures import snapshot
from tests.test_transfer_review import forge
from tests.transfer_support import (
    SENDER_PASSWORD,
    consent_to_share,
    fake_pdf,
    make_sender,
    recipient,
    richest_pupil,
)

from sendesk.models.measures import direction_key
from sendesk.records import measure_directions, measures
from sendesk.transfer import package, receiving, sending
from sendesk.transfer.directions import DIFFERS, SAME, TAKEN
from sendesk.transfer.errors import TamperedPackage

INCIDENTS = "Behaviour incidents a week"        # lower is better there; not answered here
SDQ = "SDQ total difficulties score"            # lower is better at both (the starter library)
PLAYGROUND = "Playground incidents a week"      # lower is better there, higher here


@pytest.fixture
def sender(tmp_path, clock, to_engine):
    session = to_engine(make_sender(tmp_path / "sender.sendesk", clock), SENDER_PASSWORD)
    yield session
    session.close()


def latest_item(session, pupil_id: int) -> int:
    return session.db.scalar(
        "SELECT i.id FROM apdr_provision_items i JOIN apdr_plans p ON p.id = i.plan_id"
        " JOIN apdr_cycles c ON c.id = p.cycle_id JOIN send_pathways w ON w.id = c.pathway_id"
        " WHERE w.pupil_id = ? ORDER BY i.started_on DESC, i.id DESC LIMIT 1", (pupil_id,))


def measured_pupil(session) -> int:
    """The richest pupil, with three counts that fell from 9 to 3, all lower is better here."""
    pupil = richest_pupil(session)
    item = latest_item(session, pupil)
    started = session.db.scalar("SELECT started_on FROM apdr_provision_items WHERE id = ?", (item,))
    for name in (INCIDENTS, SDQ, PLAYGROUND):
        measures.record_measure(session, item, {
            "kind": "school_scale", "name": name, "entry_value": 9, "entry_date": started,
            "exit_value": 3, "exit_date": "2026-10-20", "lower_is_better": "lower"})
    consent_to_share(session, pupil)
    return pupil


def says_higher(session, name: str) -> None:
    """This school's own answer for the name: higher is better (as the measures form keeps it)."""
    session.db.execute("INSERT INTO measure_directions (name_key, name, lower_is_better,"
                       " updated_at, updated_by) VALUES (?, ?, 0, ?, ?)",
                       (direction_key(name), name, session.now_text(), session.user.id))


def directions_here(session) -> list[tuple]:
    return [tuple(r) for r in session.db.query(
        "SELECT name_key, name, lower_is_better, updated_at, updated_by FROM measure_directions"
        " ORDER BY name_key")]


def gains(session, pupil_id: int) -> dict[str, float | None]:
    return {m.name: m.gain for m in measures.measures_for_pupil(session, pupil_id)}


def test_each_answer_travels_and_is_taken_kept_or_said(sender, senco_session, tmp_path):
    pupil = measured_pupil(sender)
    says_higher(senco_session, PLAYGROUND)
    sent = sending.send(sender, pupil, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    record = json.loads(package.read_package(sent.path.read_bytes(), sent.passphrase)
                        .item_of_kind("record"))
    travelled = {d["name"]: d["lower_is_better"] for d in record["measure_directions"]}
    assert {INCIDENTS: True, SDQ: True, PLAYGROUND: True,
            "Handwriting speed (letters a minute)": False}.items() <= travelled.items()

    sdq_before = [r for r in directions_here(senco_session) if r[0] == SDQ.casefold()]
    preview = receiving.open_package(senco_session, sent.path.read_bytes(), sent.passphrase)
    found = {d.name: d for d in preview.directions}
    assert (found[INCIDENTS].state, found[SDQ].state, found[PLAYGROUND].state) == (
        TAKEN, SAME, DIFFERS)
    said = [d.sentence() for d in preview.directions if d.worth_saying]
    assert said == [
        f"The sending school records lower scores as better for '{INCIDENTS}'; this school had "
        "not said, so that is taken here.",
        f"The sending school records lower scores as better for '{PLAYGROUND}'; this school "
        "records higher as better. Their measures are kept as recorded and read here as this "
        "school says; to change that, change it on a measure's form."]

    done = receiving.import_package(senco_session, preview, {})
    here = measure_directions.directions(senco_session.db)
    assert here[INCIDENTS.casefold()] is True                # taken
    assert here[PLAYGROUND.casefold()] is False              # ours kept
    assert [r for r in directions_here(senco_session) if r[0] == SDQ.casefold()] == sdq_before
    # The values arrive as taken; each reads as this school now says.
    stored = {r["name"]: (r["entry_value"], r["exit_value"]) for r in senco_session.db.query(
        "SELECT name, entry_value, exit_value FROM provision_measures WHERE pupil_id = ?",
        (done.pupil_id,))}
    assert stored[PLAYGROUND] == stored[INCIDENTS] == (9, 3)
    assert {k: v for k, v in gains(senco_session, done.pupil_id).items()
            if k in (INCIDENTS, SDQ, PLAYGROUND)} == {INCIDENTS: 6, SDQ: 6, PLAYGROUND: -6}
    detail = json.loads(senco_session.db.scalar(
        "SELECT detail FROM audit_log WHERE action = 'received a records transfer'"
        " ORDER BY id DESC LIMIT 1"))
    assert INCIDENTS in json.dumps(detail) and PLAYGROUND in json.dumps(detail)


def test_a_lower_answer_taken_says_how_many_pupils_here_it_turns(sender, senco_session,
                                                                  tmp_path):
    pupil = measured_pupil(sender)
    here = add_pupil(senco_session, parent=False)   # measured here by the name, unanswered
    senco_session.db.execute(
        "INSERT INTO provision_measures (pupil_id, kind, name, entry_value, entry_date,"
        " entered_at) VALUES (?, 'school_scale', ?, 5, '2026-09-07', ?)",
        (here, INCIDENTS.upper(), senco_session.now_text()))
    sent = sending.send(sender, pupil, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    preview = receiving.open_package(senco_session, sent.path.read_bytes(), sent.passphrase)
    [taken] = [d for d in preview.directions if d.name == INCIDENTS]
    assert taken.sentence().endswith("The 1 pupil here already measured by it will read that "
                                     "way too.")


# --- packages made before the field, and tampered ones -------------------------------------------

@pytest.fixture
def made(sender, tmp_path):
    """A genuine package's ZIP (age layer removed) with the three measures, and the sender's key."""
    sent = sending.send(sender, measured_pupil(sender), recipient(),
                        tmp_path / "p.sendesk-transfer", fake_pdf)
    private, _ = sending.school_keys(sender)
    return pyrage.passphrase.decrypt(sent.path.read_bytes(), sent.passphrase), private


@pytest.fixture
def no_age(monkeypatch):
    monkeypatch.setattr(package, "decrypt", lambda data, passphrase: data)


def test_a_package_made_before_the_directions_is_read_as_before(made, senco_session, no_age):
    zipped, key = made
    before = directions_here(senco_session)
    preview = receiving.open_package(
        senco_session, forge(zipped, key, lambda record: record.pop("measure_directions")), "x")
    assert preview.directions == []
    done = receiving.import_package(senco_session, preview, {})
    assert directions_here(senco_session) == before
    assert gains(senco_session, done.pupil_id)[INCIDENTS] == -6   # as it always read


@pytest.mark.parametrize(("value", "fault"), [
    ("sideways", "in row 1 of measure_directions, lower_is_better is 'sideways', not true or "
                 "false"),
    (1, "lower_is_better is '1', not true or false"),
    (None, "lower_is_better is 'None', not true or false")])
def test_a_bad_direction_is_refused_in_one_sentence_and_nothing_is_written(
        made, senco_session, no_age, value, fault):
    zipped, key = made

    def spoil(record):
        record["measure_directions"][0]["lower_is_better"] = value
    before, answers = snapshot(senco_session), directions_here(senco_session)
    with pytest.raises(TamperedPackage) as refused:
        receiving.open_package(senco_session, forge(zipped, key, spoil), "x")
    message = str(refused.value)
    assert fault in message and message.endswith("Nothing was imported.")
    assert message.count(". ") == 1     # the fault, then "Nothing was imported."
    assert snapshot(senco_session) == before and directions_here(senco_session) == answers


@pytest.mark.parametrize(("spoil", "fault"), [
    (lambda d: d.append({"name": "Not in the record", "lower_is_better": True}),
     "names a measure the record does not hold"),
    (lambda d: d.append(dict(d[0], name=d[0]["name"].upper())),
     "repeats a measure already answered for"),
    (lambda d: d[0].update(name="<b>Reading</b>"), "contains markup"),
    (lambda d: d[0].update(extra=1), "is not a name and lower_is_better"),
    (lambda d: d.clear() or d.append("lower"), "is not a name and lower_is_better")])
def test_other_malformed_directions_are_refused(made, senco_session, no_age, spoil, fault):
    zipped, key = made
    before = snapshot(senco_session)
    with pytest.raises(TamperedPackage, match=fault):
        receiving.open_package(senco_session, forge(
            zipped, key, lambda record: spoil(record["measure_directions"])), "x")
    assert snapshot(senco_session) == before


def test_the_send_file_says_which_measures_are_better_lower(sender):
    """The file that goes in the package marks each lower-is-better measure, so a school
    reading it knows which way its gains run whatever its own answer for the name."""
    from sendesk.documents import build_documents
    pupil = measured_pupil(sender)
    [document] = build_documents(sender, pupil, "file")
    text = document.text()
    assert "Entry and exit measures" in text
    for name in (INCIDENTS, SDQ, PLAYGROUND):
        assert f"{name} (lower is better)" in text
    assert "Handwriting speed (letters a minute) (lower is better)" not in text
    assert "Handwriting speed (letters a minute)" in text
