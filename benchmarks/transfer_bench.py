"""Exporting and importing one pupil's records-transfer package, as the CLI does it: the full
SEND file drawn as a PDF, the package encrypted and signed; then opened, checked and imported
by a receiving school.

Sending makes the pupil a leaver (read-only), so each run sends a different pupil with a long
history, and each import goes into a fresh receiving school.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sendesk.cli.transfer import count_pages, render_file_pdf
from sendesk.records import consent
from sendesk.services import lifecycle
from sendesk.session import Session
from sendesk.transfer import receiving, sending

from . import data
from .measure import timed

if TYPE_CHECKING:
    from .store_bench import Bench

RECEIVER = ("Benchmark receiving school", "123456")


def run(bench: Bench, session: Session, runs: int) -> None:
    """Time `runs` exports (different pupils) and as many imports into new schools."""
    candidates = [row[0] for row in session.db.query(
        "SELECT w.pupil_id FROM apdr_cycles c JOIN send_pathways w ON w.id = c.pathway_id"
        " JOIN pupils p ON p.id = w.pupil_id WHERE p.archived_at IS NULL"
        " GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id LIMIT ?", (runs + 1,))]
    for pupil_id in candidates:   # sending refuses a file without consent to share
        consent.record_consent(session, pupil_id, {
            "given_by": "Benchmark parent", "giver_kind": "parent or carer",
            "given_on": session.clock.today() - dt.timedelta(days=30),
            "scope": "Share the SEND file with the pupil's next school."})
    recipient = sending.make_recipient(*RECEIVER, "Benchmark SENCO")
    pending = iter(candidates)
    sent: list[sending.SentPackage] = []

    def export() -> None:
        pupil_id = next(pending)
        sent.append(sending.send(session, pupil_id, recipient,
                                 bench.folder / f"pupil-{pupil_id}.sendesk-transfer",
                                 render_file_pdf, count_pages=count_pages))

    bench.add("transfer", "export one pupil's transfer package (longest histories)",
              timed(export, runs))
    packages = iter(sent[-runs:])
    counter = iter(range(10_000))
    receiver: list[Session] = []

    def new_receiver() -> None:
        for old in receiver:
            old.close()
        receiver.clear()
        target = bench.folder / f"receiver-{next(counter)}.sendesk"
        opened, _ = lifecycle.create(target, school_name=RECEIVER[0], school_reference=RECEIVER[1],
                                     username=data.USER, full_name=data.FULL_NAME,
                                     password=data.PASSWORD, clock=data.CLOCK)
        receiver.append(opened)

    def receive() -> None:
        package = next(packages)
        preview = receiving.open_package(receiver[0], package.path.read_bytes(),
                                         package.passphrase)
        receiving.import_package(receiver[0], preview,
                                 {c.key: receiving.THEIRS for c in preview.conflicts})

    try:
        bench.add("transfer", "import one pupil's transfer package (new school)",
                  timed(receive, runs - 1, warmup=1, between=new_receiver))
    finally:
        for old in receiver:
            old.close()
