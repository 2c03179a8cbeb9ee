"""`sendesk --demo`: a clearly labelled demo school of invented pupils, ready to explore."""

from __future__ import annotations

from pathlib import Path

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-school-only-password"
DEMO_PUPILS = 600


def prepare_demo(folder: Path) -> tuple[Path, str]:
    """Create the demo database on first use; return its path and the sign-in hint to show."""
    from ..demo import create_demo_school

    path = Path(folder) / "demo-school.sendesk"
    if not path.exists():
        session, _recovery = create_demo_school(path, DEMO_USERNAME, "Demo SENCO", DEMO_PASSWORD,
                                                pupils=DEMO_PUPILS)
        session.close()
    hint = (f"Demo school (invented pupils only). Username: {DEMO_USERNAME}   "
            f"Password: {DEMO_PASSWORD}")
    return path, hint
