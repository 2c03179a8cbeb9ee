"""A records-transfer package naming a wholly different child under a UPN this school already
holds (issue 18, "same child, or ask"): the package's child has another name and another date
of birth, so it is another child under a wrong UPN. Importing must not touch the pupil here in
any way; the user is told to check the UPN with the sending school. One field apart (a
corrected date of birth) may be the same child: then the user is asked, and nothing is
imported until they have decided."""

from __future__ import annotations

import pytest
from tests.records_fixtures import snapshot
from tests.transfer_support import SENDER_PASSWORD, consent_to_share, fake_pdf, make_sender, recipient, richest_pupil

from sendesk.errors import ValidationError
from sendesk.records import pupils
from sendesk.transfer import receiving, sending


@pytest.fixture
def package(tmp_path, clock, to_engine):
    """A real package of the sender's richest pupil, and that pupil's UPN, name and birthday."""
    sender = to_engine(make_sender(tmp_path / "sender.sendesk", clock), SENDER_PASSWORD)
    try:
        pupil_id = richest_pupil(sender)
        consent_to_share(sender, pupil_id)
        details = pupils.get_pupil(sender, pupil_id).details
        result = sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                              fake_pdf)
    finally:
        sender.close()
    return result, details


def hold(session, details, **changes):
    return pupils.add_pupil(session, {
        "upn": details.upn, "legal_surname": details.legal_surname,
        "legal_forename": details.legal_forename, "dob": details.dob, "gender": "F",
        "year_group": "5", "class_name": "5W", **changes})


def test_a_package_of_another_child_under_our_upn_touches_nothing(senco_session, package):
    result, details = package
    ours = hold(senco_session, details, legal_surname="Chapman", legal_forename="Noah",
                dob="2014-06-02")
    before = snapshot(senco_session)
    with pytest.raises(ValidationError) as refused:
        receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    said = str(refused.value)
    assert "different child" in said and "Noah Chapman, born 02/06/2014" in said
    assert details.legal_forename in said and "Phone the sending school" in said
    assert said.endswith("Nothing was imported.")
    assert snapshot(senco_session) == before
    held = pupils.get_pupil(senco_session, ours).details
    assert (held.legal_surname, held.legal_forename, held.dob.isoformat(), held.class_name) == \
        ("Chapman", "Noah", "2014-06-02", "5W")


def test_one_field_apart_is_asked_and_nothing_lands_until_decided(senco_session, package):
    result, details = package
    ours = hold(senco_session, details, dob="2014-06-02")
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    asked = {c.key: c for c in preview.conflicts}
    assert asked["field:dob"].ours == "2014-06-02"
    assert asked["field:dob"].theirs == details.dob.isoformat()
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="(?i)Decide which version to keep for: .*date of birth"):
        receiving.import_package(senco_session, preview, {})
    assert snapshot(senco_session) == before
    assert pupils.get_pupil(senco_session, ours).details.dob.isoformat() == "2014-06-02"
