"""Finding the resources/ folder (flowcharts, code lists, templates, icons) wherever we run:
from a source checkout, from an installed copy pointed at by SENDESK_RESOURCES, or from a
PyInstaller bundle.

Lists that change with government decisions (LA numbers, census need codes) live here as JSON
so that a new authority or code is a data change, not a code change.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from .errors import SendeskError


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    override = os.environ.get("SENDESK_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


@cache
def load_json(*parts: str) -> Any:
    """A shipped JSON data file, read once. Callers must not modify what it returns."""
    path = resource_path(*parts)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise SendeskError(f"sendesk's reference file {path.name} is missing or damaged. "
                           "Reinstall sendesk to restore it.") from exc
