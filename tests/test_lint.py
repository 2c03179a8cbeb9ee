"""The code is held to its stated rules on every test run: ruff's rule set and mypy over the
core (both configured in pyproject.toml), so CI fails on a lint or type error like any other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_error_in_the_core():
    result = _run("mypy", "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checks_can_fail(tmp_path):
    """Guard against a vacuous pass: each tool reports a planted fault."""
    bad = tmp_path / "planted.py"
    bad.write_text("import os\n\ndef f(x: int) -> str:\n    return x\n")
    assert _run("ruff", "check", "--no-cache", "--isolated", "--select", "F401", str(bad)).returncode == 1
    assert _run("mypy", "--no-incremental", "--config-file", "/dev/null", str(bad)).returncode == 1
