"""At 150% scaling on a 1,600 x 1,000 laptop screen (1,067 x 667 to lay out) the main window,
a pupil's record and the APDR wizard fit on the screen, and every button can be reached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .tour import offscreen_screen

ROOT = Path(__file__).resolve().parents[2]


def test_windows_fit_a_laptop_screen_at_150_percent(tmp_path):
    env = {**os.environ, **offscreen_screen(tmp_path, 1.5), "SENDESK_DATA_DIR": str(tmp_path / "data"),
           "SENDESK_KDF_SECONDS": "0"}
    run = subprocess.run([sys.executable, "-m", "tests.gui.scaled_fit", str(tmp_path)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, run.stderr[-3000:]
    found = json.loads(lines[-1].removeprefix("RESULT "))
    assert any(name.startswith("record: ") for name in found)
    assert any(name.startswith("APDR wizard: ") for name in found)
    room = {(f["room_width"], f["room_height"]) for f in found.values()}
    assert room == {(1067, 667)}, f"not the scaled 1,600 x 1,000 screen: {room}"
    too_big = {name: f"{f['width']} x {f['height']}" for name, f in found.items() if not f["inside"]}
    assert not too_big, f"wider or taller than the screen: {too_big}"
    lost = {name: f["unreachable"] for name, f in found.items() if f["unreachable"]}
    assert not lost, f"buttons outside the window: {lost}"
