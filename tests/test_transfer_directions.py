"""Which way a measure improves travels with the pupil's file (transfer/directions.py): the
sending school's answer for every measure name in the record goes in the package; the
receiving school takes it where it has not answered, changes nothing where it says the same,
and keeps its own where it says otherwise, saying so before Import. A package made before the
field is read as before; one whose answer is not true or false is refused in one sentence and
nothing is written. The sender's SEND file PDF says "(lower is better)" on such a measure."""

from __future__ import annotations

import json
import re

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

from sendesk import operations
from sendesk.models.measures import direction_key
from sendesk.operations import Kind
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
    assert {INCIDENTS: True, SDQ: True, PLAYGROUND: True}.items() <= travelled.items()
    answered = measure_directions.directions(sender.db)
    assert all(direction_key(name) in answered for name in travelled), \
        "only the names the sending school answered travel"
    assert "Handwriting speed (letters a minute)" not in travelled   # never answered there

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

    before = directions_here(senco_session)
    done = receiving.import_package(senco_session, preview, {})
    here = measure_directions.directions(senco_session.db)
    assert here[INCIDENTS.casefold()] is True                # taken
    # Nothing else is stored as this school's answer: not the sender's unspoken defaults.
    added = set(directions_here(senco_session)) - set(before)
    assert [row[1] for row in added] == [INCIDENTS]
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


def test_the_unspoken_default_is_never_stored_here(sender, senco_session, tmp_path):
    """A name the sender never answered reads higher there as here: receiving it stores no
    answer, so a later school's 'lower' for it is taken, not reported as a difference."""
    pupil = measured_pupil(sender)
    unanswered = [name for key, name in sorted(
        {m.name.casefold(): m.name for m in measures.measures_for_pupil(sender, pupil)}.items())
        if key not in measure_directions.directions(sender.db)]
    assert unanswered, "the richest pupil has a measure the sender never answered"
    before = directions_here(senco_session)
    sent = sending.send(sender, pupil, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    preview = receiving.open_package(senco_session, sent.path.read_bytes(), sent.passphrase)
    assert not {d.name for d in preview.directions} & set(unanswered)
    receiving.import_package(senco_session, preview, {})
    stored = {row[0] for row in directions_here(senco_session)} - {r[0] for r in before}
    assert stored == {INCIDENTS.casefold(), PLAYGROUND.casefold()}   # the answers given


def test_a_lower_answer_is_not_taken_where_pupils_here_are_measured_by_the_name(
        sender, senco_session, tmp_path):
    """Same child, or ask: this school has not said, but one of its own pupils is measured by
    the name and reads higher; the sender's 'lower' would turn that pupil's gain, so it is
    kept, said before Import with the count, and left for the SENCO's measure form."""
    pupil = measured_pupil(sender)
    here = add_pupil(senco_session, parent=False)   # measured here by the name, unanswered
    senco_session.db.execute(
        "INSERT INTO provision_measures (pupil_id, kind, name, entry_value, entry_date,"
        " exit_value, exit_date, entered_at) VALUES (?, 'school_scale', ?, 5, '2026-09-07', 2,"
        " '2026-10-07', ?)", (here, INCIDENTS.upper(), senco_session.now_text()))
    gain_before = gains(senco_session, here)[INCIDENTS.upper()]
    sent = sending.send(sender, pupil, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    preview = receiving.open_package(senco_session, sent.path.read_bytes(), sent.passphrase)
    [kept] = [d for d in preview.directions if d.name == INCIDENTS]
    assert kept.state == DIFFERS and kept.worth_saying
    assert kept.sentence() == (
        f"The sending school records lower scores as better for '{INCIDENTS}'; this school has "
        "not said, but 1 pupil here is measured by it and reads higher as better, so this "
        "school's reading is kept: the SENCO can change it on a measure's form.")
    before = directions_here(senco_session)
    done = receiving.import_package(senco_session, preview, {})
    assert INCIDENTS.casefold() not in {row[0] for row in directions_here(senco_session)}
    assert set(before) <= set(directions_here(senco_session))
    assert gains(senco_session, here)[INCIDENTS.upper()] == gain_before == -3
    assert gains(senco_session, done.pupil_id)[INCIDENTS] == -6   # read as this school does
    detail = json.loads(senco_session.db.scalar(
        "SELECT detail FROM audit_log WHERE action = 'received a records transfer'"
        " ORDER BY id DESC LIMIT 1"))
    assert INCIDENTS in json.dumps(detail.get("directions_kept_ours", detail))


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
    with operations.collect(senco_session) as told:
        done = receiving.import_package(senco_session, preview, {})
    # The window is told the pupil's measures changed (none of them a direction taken), so a
    # page that follows measures reads again.
    assert Kind.MEASURE in operations.merged(told).kinds
    assert directions_here(senco_session) == before
    assert gains(senco_session, done.pupil_id)[INCIDENTS] == -6   # as it always read


# The package's own field names never reach the sentence a SENCO reads.
FIELD_WORDS = ("measure_directions", "lower_is_better", "true or false", " row ")


@pytest.mark.parametrize(("value", "fault"), [
    ("sideways", "its record of whether lower scores are better for each measure is in a form "
                 "sendesk does not write (measure 1: 'sideways' instead of yes or no)"),
    (1, "(measure 1: '1' instead of yes or no)"),
    (None, "(measure 1: 'None' instead of yes or no)")])
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
    assert not any(word in message for word in FIELD_WORDS)
    assert snapshot(senco_session) == before and directions_here(senco_session) == answers


@pytest.mark.parametrize(("spoil", "fault"), [
    (lambda d: d.append({"name": "Not in the record", "lower_is_better": True}),
     "'Not in the record', is not a measure in the record"),
    (lambda d: d.append(dict(d[0], name=d[0]["name"].upper())), "is answered for twice"),
    (lambda d: d[0].update(name="<b>Reading</b>"), "the name of measure 1 contains markup"),
    (lambda d: d[0].update(extra=1), "measure 1 is not a measure's name with a yes or no"),
    (lambda d: d.clear() or d.append("lower"),
     "measure 1 is not a measure's name with a yes or no")])
def test_other_malformed_directions_are_refused(made, senco_session, no_age, spoil, fault):
    zipped, key = made
    before = snapshot(senco_session)
    with pytest.raises(TamperedPackage, match=re.escape(fault)) as refused:
        receiving.open_package(senco_session, forge(
            zipped, key, lambda record: spoil(record["measure_directions"])), "x")
    assert not any(word in str(refused.value) for word in FIELD_WORDS)
    assert snapshot(senco_session) == before


def test_a_list_that_is_not_a_list_is_refused_in_plain_words(made, senco_session, no_age):
    zipped, key = made
    with pytest.raises(TamperedPackage) as refused:
        receiving.open_package(senco_session, forge(
            zipped, key, lambda record: record.update(measure_directions={"a": 1})), "x")
    assert str(refused.value) == (
        "The pupil record inside this package cannot be imported: its record of whether lower "
        "scores are better for each measure is in a form sendesk does not write (it is not a "
        "list of measures). Nothing was imported.")


def test_lower_is_better_for_an_age_is_refused_and_nothing_is_written(
        sender, senco_session, no_age, tmp_path):
    """The measure's form refuses 'lower is better' for a reading or spelling age; a package
    saying it is refused in one sentence rather than announced as taken to no effect."""
    pupil = measured_pupil(sender)
    item = latest_item(sender, pupil)
    started = sender.db.scalar("SELECT started_on FROM apdr_provision_items WHERE id = ?", (item,))
    measures.record_measure(sender, item, {
        "kind": "spelling_age", "name": "Spelling age", "entry_value": "7y 4m",
        "entry_date": started, "exit_value": "7y 9m", "exit_date": "2026-10-20"})
    sent = sending.send(sender, pupil, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    zipped = pyrage.passphrase.decrypt(sent.path.read_bytes(), sent.passphrase)

    def age_lower(record):
        entries = record["measure_directions"]
        entries[:] = [e for e in entries if direction_key(e["name"]) != "spelling age"]
        entries.append({"name": "Spelling age", "lower_is_better": True})
    before, answers = snapshot(senco_session), directions_here(senco_session)
    with pytest.raises(TamperedPackage) as refused:
        receiving.open_package(senco_session, forge(zipped, sending.school_keys(sender)[0],
                                                    age_lower), "x")
    assert str(refused.value) == (
        "The pupil record inside this package cannot be imported: it says lower scores are "
        "better for 'Spelling age', which is a spelling age and always better higher. Nothing "
        "was imported.")
    assert snapshot(senco_session) == before and directions_here(senco_session) == answers


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
    table = text[text.index("Entry and exit measures"):text.index("Exam access arrangements")]
    # Said once a row, after the name: the gain is just the points.
    assert table.count("(lower is better)") == 3
    assert "+6 points" in table and "points (lower is better)" not in table
    # Each measure says which provision it was for.
    described = sender.db.scalar("SELECT description FROM apdr_provision_items WHERE id = ?",
                                 (latest_item(sender, pupil),))
    assert "Provision" in table and described.split()[0] in table
