"""A whole working session, run by test_plaintext_leaks.py in a fresh process whose home,
temp, cache and data folders all point inside one watched folder.

Everything a SENCO does in a term: create the school, add users, import pupils from the MIS,
edit records, contacts, SEN status, short notes, the initial concerns flowchart, an APDR
cycle, a specialist's report, letter templates, documents, exports, a records transfer with its
acknowledgement form and CTF, a backup and a restore,
verify, the audit log, and the app's own windows on screen. The only files that may hold a
pupil's name are the ones the user chose: inputs/ (the MIS export and the report they had) and
exports/ (what they explicitly exported).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(sys.argv[1])
NAMES = json.loads(sys.argv[2])
os.environ["SENDESK_KDF_SECONDS"] = "0"
sys.path[:0] = [str(Path(__file__).parent.parent)]  # tests/, for the shared helpers

from PySide6.QtWidgets import QApplication  # noqa: E402

from apdr_support import OUTCOMES, assess, plan, review  # noqa: E402
from concerns_support import DISCUSSION, ROUTES  # noqa: E402
from sendesk.clock import FixedClock  # noqa: E402
from sendesk.documents import templates  # noqa: E402
from sendesk.models import flowchart  # noqa: E402
from sendesk.pdf import export_documents  # noqa: E402
from sendesk.records import (  # noqa: E402
    apdr,
    audit_log,
    census,
    concerns,
    contacts,
    mis_import,
    notes,
    provision_map,
    pupil_list,
    pupils,
    sen_register,
    specialists,
)
from sendesk.services import backup, lifecycle, users  # noqa: E402
from sendesk.services import verify as verify_mod  # noqa: E402
from sendesk.ui.main_window import MainWindow  # noqa: E402
from sendesk.ui.pupil_record_window import PupilRecordWindow  # noqa: E402

app = QApplication(["sendesk"])  # as the app runs: one QApplication, which PDFs also use
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
TODAY = CLOCK.today()
PASSWORD = "harbour-lantern-quietly-47"
school_dir, exports, inputs = ROOT / "school", ROOT / "exports", ROOT / "inputs"
for folder in (school_dir, exports, inputs, ROOT / "usb", ROOT / "restored"):
    folder.mkdir(exist_ok=True)
db_path = school_dir / "school.sendesk"

session, recovery = lifecycle.create(db_path, school_name=NAMES["school"], school_reference="123456",
                                     username="senco1", full_name=NAMES["senco"],
                                     password=PASSWORD, clock=CLOCK)
users.add_user(session, "staff1", NAMES["staff"], "staff", "violet-kettle-meadow-83")

# The MIS export the user was given: their file, outside sendesk's care.
(inputs / "mis.csv").write_text(
    "UPN,Surname,Forename,DOB,Gender,Year,Reg Group\r\n"
    + "".join(f"{upn},{surname},{forename},03/04/2017,F,4,4Q\r\n"
              for upn, surname, forename in NAMES["pupils"]), encoding="utf-8")
mis_import.commit(session, mis_import.preview(session, inputs / "mis.csv"))
ids = [pupils.find_by_upn(session, upn) for upn, _, _ in NAMES["pupils"]]
first, second, third = ids

pupils.update_pupil(session, first, {"preferred_forename": NAMES["known_as"]})
contacts.add_contact(session, first, {"name": NAMES["parent"], "relationship": "Mother",
                                      "parental_responsibility": True,
                                      "address": "1 Lark Lane\nMillcross", "phone": "07700 900123"})
notes.add_note(session, first, {"event_date": "20/11/2026",
                                "concern": f"{NAMES['pupils'][0][2]} found reading hard today"})
sen_register.change_status(session, first, "K", TODAY, "Needs identified", ["SLCN"])
apdr.open_pathway(session, first, TODAY)
cycle = apdr.current_pathway(session, first).current_cycle.id
assess(session, cycle, TODAY)
plan(session, cycle, TODAY, TODAY + dt.timedelta(weeks=13), outcomes=OUTCOMES)
review(session, cycle, TODAY, "continue_targeted")
contacts.add_contact(session, second, {"name": NAMES["parent2"], "relationship": "Father",
                                       "parental_responsibility": True})
concerns.finish(session, second, flowchart.load_default(), ROUTES["sen_support"][0], DISCUSSION,
                discussion_date=TODAY, review_date=TODAY + dt.timedelta(weeks=6))
involvement = specialists.add_involvement(session, first, {
    "service": "EP", "referral_date": "01/11/2026", "consent": "given",
    "consent_date": "01/11/2026", "consent_from": NAMES["parent"]})
(inputs / "report.pdf").write_bytes(b"%PDF-1.7 report about " + NAMES["pupils"][0][1].encode())
report = specialists.attach_report_file(session, involvement, inputs / "report.pdf",
                                        "Educational psychologist", "20/11/2026")
templates.import_templates(session, templates.default_bytes())

# What the user chose to take out of the database.
for kind in ("file", "plan", "letter-added"):
    export_documents(session, first, kind, exports / f"{kind}.pdf")
with open(exports / "pupils.csv", "w", encoding="utf-8", newline="") as handle:
    pupil_list.export_csv(session, handle)
census.export_census(session, exports / "census.csv")
provision_map.export_csv(session, exports / "map.csv")
specialists.save_report_copy(session, report, exports / "report-copy.pdf")
audit_log.read_log(session)

# The third pupil leaves: their whole file goes to the next school as an encrypted package (in
# outbox/, which is searched: it must name nobody), with the acknowledgement form and a CTF.
from sendesk.cli.transfer import render_file_pdf  # noqa: E402
from sendesk.pdf import render_pdf  # noqa: E402
from sendesk.transfer import acknowledgement, ctf, sending  # noqa: E402

(ROOT / "outbox").mkdir()
sent = sending.send(session, third, sending.make_recipient("Receiving Primary", "654321", "Ms Jones"),
                    ROOT / "outbox" / "pupil.sendesk-transfer", render_file_pdf,
                    without_consent="Parents agreed by phone; the form follows")
(exports / "acknowledgement.pdf").write_bytes(
    render_pdf(acknowledgement.acknowledgement_form(session, sent.transfer_id)))
ctf.export_ctf(session, second, exports / "pupil.xml")

backup.backup(session, ROOT / "usb" / "friday.sendesk-backup")
assert verify_mod.verify(session).ok
session.close()
backup.restore(ROOT / "usb" / "friday.sendesk-backup", ROOT / "restored" / "school.sendesk", PASSWORD)

# The app's own windows, on screen (offscreen), with every tab shown once.
session = lifecycle.open_school(db_path, "senco1", PASSWORD, CLOCK)
main = MainWindow(session)
main.show()
for pupil_id in ids:
    window = PupilRecordWindow(session, pupil_id)
    window.show()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        app.processEvents()
    window.grab()
    window.close()
main.close()
app.processEvents()
session.close()
print(json.dumps({"ok": True}))
