"""Per-user settings in the platform's data folder (never beside the program).

They hold where the database is and how the app behaves, never pupil data. SENDESK_DATA_DIR
points them elsewhere, for portable use and for tests.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import SupportsInt

import platformdirs

from .store.files import atomic_write

APP_NAME = "sendesk"
MIN_IDLE_MINUTES = 1
MAX_IDLE_MINUTES = 240


def data_dir() -> Path:
    override = os.environ.get("SENDESK_DATA_DIR")
    folder = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_dir() -> Path:
    """Where save dialogs for exported files start: the user's Documents folder, never the
    app's data folder, which holds settings only and no pupil data."""
    folder = Path(platformdirs.user_documents_dir())
    return folder if folder.is_dir() else Path.home()


def default_database_path() -> Path:
    return data_dir() / "school.sendesk"


@dataclass
class Settings:
    last_database: str | None = None
    last_username: str | None = None
    idle_lock_minutes: int = 5
    quick_unlock: bool = False
    # None means 'until the end of today'; otherwise a number of hours after unlocking.
    quick_unlock_hours: int | None = None
    # The school server's address (postgresql://host:port/db?sslrootcert=CA, no password),
    # offered in the unlock window even after a file was opened since.
    last_server: str | None = None

    @classmethod
    def load(cls) -> Settings:
        path = data_dir() / "settings.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in raw.items() if k in known})
        settings.idle_lock_minutes = clamp_idle(settings.idle_lock_minutes)
        return settings

    def save(self) -> None:
        atomic_write(data_dir() / "settings.json", json.dumps(asdict(self), indent=2).encode())


def clamp_idle(value: object) -> int:
    # The value comes from settings.json: a number or text can be read, anything else cannot.
    if not isinstance(value, (str, SupportsInt)):
        return 5
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return 5
    return max(MIN_IDLE_MINUTES, min(MAX_IDLE_MINUTES, minutes))
