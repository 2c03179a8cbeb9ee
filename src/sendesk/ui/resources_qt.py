"""Icons for windows and the application, loaded from resources/."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from ..resources import resource_path


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "sendesk.svg")))
