"""Tools > Letter templates: the school's letterhead, logo and the wording of parent letters.

Save a copy of the template in use, edit it in any text editor, and import it again (with the
logo it names); sendesk checks it before using it and says where any fault is. The school's
template is kept inside its encrypted database, so it needs no writable program folder and it
travels with the backups. For the SENCO and administrators.
"""

from __future__ import annotations

import json

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ..documents import templates
from ..errors import SendeskError
from ..session import Session
from ..settings import data_dir
from ..store.files import atomic_write, read_limited
from .prompts import prompts
from .runner import OpRunner
from .screen_fit import fit_to_screen

TITLE = "Letter templates"


def _logo_name(data: bytes) -> str | None:
    """The logo file a template names (None when it names none or is not readable JSON, which
    the template check then reports properly)."""
    try:
        head = json.loads(data.decode("utf-8-sig")).get("letterhead") or {}
        return str(head.get("logo")) if head.get("logo") else None
    except (ValueError, AttributeError):
        return None


class TemplatesDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or OpRunner(session, self)
        self.setWindowTitle(TITLE)
        self.setObjectName("templates_dialog")
        fit_to_screen(self, 640, 460)
        self.state = QLabel(objectName="template_state", wordWrap=True)
        help_text = QLabel("Save a copy of the template, change the letterhead lines and the "
                           "wording in a text editor (keep the placeholders in braces), then "
                           "import it with the school's logo. These placeholders can be used:",
                           wordWrap=True)
        placeholders = QPlainTextEdit(templates.placeholder_help(), readOnly=True,
                                      objectName="placeholders")
        placeholders.setAccessibleName("Placeholders you can use")
        self.save_button = QPushButton("Save a copy to edit...", objectName="save_template")
        self.save_button.clicked.connect(self.save_copy)
        self.import_button = QPushButton("Import...", objectName="import_template")
        self.import_button.clicked.connect(self.import_template)
        self.reset_button = QPushButton("Use sendesk's wording", objectName="reset_template")
        self.reset_button.clicked.connect(self.reset)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for widget in (self.save_button, self.import_button, self.reset_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(help_text)
        layout.addWidget(placeholders, 1)
        layout.addLayout(row)
        self.show_state()

    def show_state(self) -> None:
        try:
            current = self.runner.call(templates.load)
        except SendeskError as exc:
            self.state.setText(str(exc))
            return
        if current.source == "school":
            self.state.setText("Letters use the school's own template"
                               + (" with its logo." if current.logo else " (no logo)."))
        else:
            self.state.setText("Letters use sendesk's own template: the school's name and "
                               "reference as the letterhead, and no logo.")
        self.reset_button.setEnabled(current.source == "school")

    def save_copy(self) -> None:
        path = prompts.save_file(self, TITLE, str(data_dir() / "letters.json"), "JSON (*.json)")
        if path is None:
            return
        try:
            data, logo = self.runner.call(templates.current_bytes)
            atomic_write(path, data)
            name = json.loads(data).get("letterhead", {}).get("logo")
            if logo is not None and name:
                atomic_write(path.with_name(name), logo)
        except (SendeskError, ValueError) as exc:
            prompts.error(self, TITLE, str(exc))
            return
        prompts.info(self, TITLE, f"Saved {path.name}" + (" and the logo beside it." if logo
                                                         else "."))

    def import_template(self) -> bool:
        path = prompts.open_file(self, TITLE, str(data_dir()), "JSON (*.json)")
        if path is None:
            return False
        try:
            data = read_limited(path, templates.MAX_TEMPLATE_BYTES, "letters template")
            logo_name = _logo_name(data)
            logo, logo_file = None, ""
            if logo_name:
                beside = path.with_name(str(logo_name))
                logo_path = beside if beside.is_file() else prompts.open_file(
                    self, f"{TITLE}: the logo {logo_name}", str(path.parent),
                    "Images (*.png *.jpg *.jpeg)")
                if logo_path is None:
                    return False
                logo = read_limited(logo_path, templates.MAX_LOGO_BYTES, "logo")
                logo_file = logo_path.name
            self.runner.call(templates.import_templates, data, logo, path.name, logo_file)
        except (SendeskError, ValueError) as exc:
            prompts.error(self, TITLE, str(exc))
            return False
        self.show_state()
        prompts.info(self, TITLE, f"The school's letters now use {path.name}.")
        return True

    def reset(self) -> None:
        if not prompts.confirm(self, TITLE, "Go back to sendesk's own letterhead and wording? "
                                            "The school's template will be removed."):
            return
        try:
            self.runner.call(templates.reset_templates)
        except SendeskError as exc:
            prompts.error(self, TITLE, str(exc))
            return
        self.show_state()
