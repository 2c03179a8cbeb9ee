"""The school server's address in the unlock window: host, port, database and the school's
CA certificate (issue 21, item 1 and 3). It builds the postgresql:// address the core reads
(store/server_address.py, which insists on TLS checked against that certificate) and reads a
remembered one back; the password is never part of it."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from .prompts import prompts

DEFAULT_PORT = 5432


def split_address(url: str) -> tuple[str, int, str, str]:
    """(host, port, database, CA file) of a remembered address; blanks if it is not one."""
    if not url.startswith("postgresql:"):
        return "", DEFAULT_PORT, "", ""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        port = DEFAULT_PORT
    return (parts.hostname or "", port, parts.path.lstrip("/"),
            (query.get("sslrootcert") or [""])[0])


class ServerFields(QWidget):
    def __init__(self, remembered: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        host, port, database, ca = split_address(remembered)
        self.host = QLineEdit(host, objectName="server_host",
                              placeholderText="for example records.school.internal")
        self.host.setAccessibleName("School server")
        self.port = QSpinBox(objectName="server_port")
        self.port.setRange(1, 65535)
        self.port.setValue(port)
        self.port.setAccessibleName("Port")
        self.database = QLineEdit(database, objectName="server_database", placeholderText="sendesk")
        self.database.setAccessibleName("Database name on the server")
        self.ca = QLineEdit(ca, objectName="server_ca")
        self.ca.setAccessibleName("The school's CA certificate file")
        self.ca.setToolTip("The certificate file IT gave you (usually ending .crt or .pem); it "
                           "lets this PC check it is talking to the real school server.")
        browse = QPushButton("Bro&wse...", objectName="browse_ca")
        browse.setAccessibleName("Browse for the CA certificate")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca)
        ca_row.addWidget(browse)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for text, field, buddy in (("Server &host", self.host, self.host),
                                   ("P&ort", self.port, self.port),
                                   ("Database &name", self.database, self.database),
                                   ("&CA certificate", ca_row, self.ca)):
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, field)

    def _browse(self) -> None:
        chosen = prompts.open_file(self, "The school's CA certificate", self.ca.text(),
                                   "Certificates (*.crt *.pem *.cer);;All files (*)")
        if chosen:
            self.ca.setText(str(chosen))

    def missing(self) -> str:
        """One sentence naming what is still to be filled in ("" when nothing is)."""
        if not self.host.text().strip() or not self.database.text().strip():
            return "Enter the school server's name and the database on it (IT will tell you)."
        if not self.ca.text().strip():
            return ("Choose the school's CA certificate file (IT will give you it), so this PC "
                    "can check it is talking to the real school server.")
        return ""

    def url(self) -> str:
        host = self.host.text().strip()
        shown = f"[{host}]" if ":" in host else host
        return (f"postgresql://{shown}:{self.port.value()}/{quote(self.database.text().strip())}"
                f"?sslrootcert={quote(self.ca.text().strip(), safe='/:')}")
