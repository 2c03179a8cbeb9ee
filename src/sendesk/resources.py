"""Finding the resources/ folder (flowcharts, code lists, templates, icons) wherever we run:
from a source checkout, from an installed copy pointed at by SENDESK_RESOURCES, or from a
PyInstaller bundle."""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any


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


def load_json(*parts: str) -> Any:
    with open(resource_path(*parts), encoding="utf-8") as handle:
        return json.load(handle)
