"""Regenerate the sample documents in this folder from a fresh demo school (invented pupils).

    .venv/bin/python docs/samples/make_samples.py

The demo school is made in a temporary folder on a fixed date (23 November 2026), given an
invented letterhead and crest through the same template import a school would use, and one of
its looked-after pupils is put on SEN support so the letters show the protected-address rule
holding. Each sample is written through sendesk.pdf.export_documents, as the app and the CLI do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SENDESK_KDF_SECONDS", "0")

from sendesk import demo  # noqa: E402
from sendesk.clock import FixedClock  # noqa: E402
from sendesk.documents import templates  # noqa: E402
from sendesk.pdf import ensure_gui, export_documents  # noqa: E402
from sendesk.records import sen_register  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = "samples-lantern-quietly-47"


def crest() -> bytes:
    """An invented school crest, drawn here so the samples need no image file."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen
    ensure_gui()
    image = QImage(240, 240, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    shield = QPainterPath(QPointF(20, 20))
    for x, y in ((220, 20), (220, 120)):
        shield.lineTo(x, y)
    shield.quadTo(QPointF(220, 200), QPointF(120, 228))
    shield.quadTo(QPointF(20, 200), QPointF(20, 120))
    shield.closeSubpath()
    painter.setPen(QPen(QColor("#1d3557"), 8))
    painter.setBrush(QColor("#457b9d"))
    painter.drawPath(shield)
    font = QFont()
    font.setPixelSize(96)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#f1faee"))
    painter.drawText(QRectF(20, 20, 200, 190), Qt.AlignmentFlag.AlignCenter, "LA")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def letterhead() -> bytes:
    raw = json.loads(templates.default_bytes())
    raw["letterhead"]["lines"] = ["Quarry Lane, Larkfield LK1 4QL (an invented address)",
                                  "Telephone 01632 960123 · office@larkfield.example",
                                  "{school_reference}"]
    raw["letterhead"]["logo"] = "crest.png"
    return json.dumps(raw, ensure_ascii=False, indent=2).encode("utf-8")


def main() -> int:
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc))
    with tempfile.TemporaryDirectory() as folder:
        session, _ = demo.create_demo_school(Path(folder) / "demo.sendesk", "demo.senco",
                                             "Alex Morgan", PASSWORD, clock=clock)
        try:
            templates.import_templates(session, letterhead(), crest(), "letterhead.json")
            db = session.db
            busiest = db.scalar(
                "SELECT w.pupil_id FROM send_pathways w JOIN apdr_cycles c ON c.pathway_id = w.id"
                " WHERE w.status = 'open' GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id"
                " LIMIT 1")
            removed = db.scalar("SELECT pupil_id FROM sen_status_history WHERE status = 'N' AND"
                                " end_date IS NULL ORDER BY start_date DESC, id LIMIT 1")
            looked_after = db.scalar("SELECT pupil_id FROM register_entries WHERE register ="
                                     " 'looked_after' ORDER BY id LIMIT 1")
            if db.scalar("SELECT sen_status FROM pupils WHERE id = ?", (looked_after,)) != "K":
                sen_register.change_status(session, looked_after, "K", clock.today(),
                                           "Assessment and discussion with the social worker and "
                                           "the birth mother show needs that call for SEN support.",
                                           needs=["SEMH"])
            with_ehc_plan = db.scalar("SELECT pupil_id FROM ehc_plans ORDER BY id LIMIT 1")
            samples = [("plan", busiest), ("review", busiest), ("profile", busiest),
                       ("letter-added", looked_after), ("letter-removed", removed),
                       ("invitation", busiest), ("ehcna-evidence", busiest),
                       ("provision-map", busiest), ("provision-map", None), ("file", busiest),
                       ("file", looked_after), ("file", with_ehc_plan)]
            for kind, pupil_id in samples:
                name = kind + ("-whole-school" if pupil_id is None else "")
                if kind == "file" and pupil_id in (looked_after, with_ehc_plan):
                    name = "file-looked-after" if pupil_id == looked_after else "file-ehc-plan"
                pages = export_documents(session, pupil_id, kind, HERE / f"{name}.pdf")
                print(f"{name}.pdf: {pages} page{'s' if pages != 1 else ''}")
        finally:
            session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
