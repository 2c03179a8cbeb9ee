"""Help > About: the version, and the SQLCipher and Qt versions IT staff ask for."""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__
from ..store.database import cipher_version


def library_versions() -> dict[str, str]:
    return {"sendesk": __version__, "SQLCipher": cipher_version(), "Qt": qVersion(),
            "PySide6": pyside_version}


def about_text() -> str:
    versions = library_versions()
    rows = "".join(f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in versions.items())
    return ("<h3>sendesk</h3><p>SEND records for schools, kept encrypted on this computer.</p>"
            f"<table>{rows}</table>")


def show_about(parent: QWidget | None) -> None:
    QMessageBox.about(parent, "About sendesk", about_text())
