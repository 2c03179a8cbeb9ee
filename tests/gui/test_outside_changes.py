"""A window left open sees what another process wrote (issue 18, item 13): an MIS import run
with sendesk-cli while the window shows the pupil list appears in the list without a click.
The window notices from the database's data version (ui/outside_changes.py), checked every
few seconds and whenever the app becomes active again; on the school server, from the
server's notification (LISTEN/NOTIFY, ui/server_changes.py) that the command's write sent."""

from __future__ import annotations

import os
import subprocess

import pytest
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_foundation import unlock, wait_for_main_window
from tests.gui.test_pupils_ui import names
from tests.store_tools import cli_executable

from sendesk.models.upn import make_upn

pytestmark = pytest.mark.both_engines


def test_a_cli_import_shows_in_the_open_pupil_list_without_a_click(qtbot, make_controller,
                                                                   school, tmp_path):
    controller = make_controller()
    controller.start(school[0])
    unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    page = window.show_page("pupils")
    qtbot.waitUntil(lambda: not controller.runner.busy(), timeout=10_000)
    assert "Arrived, Newly" not in names(page)

    csv_file = tmp_path / "mis.csv"
    csv_file.write_text("UPN,Surname,Forename,DOB,Gender,Year,Reg Group\r\n"
                        f"{make_upn('940', '4001', 24, 777)},Arrived,Newly,03/04/2016,F,5,5W\r\n")
    child = subprocess.Popen(
        [cli_executable(), "pupils", "import", str(school[0]), str(csv_file), "--user", SENCO],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SENDESK_DEBUG": ""})
    out, err = child.communicate(SENCO_PASSWORD + "\n", timeout=120)
    assert child.returncode == 0, err

    # No click, no key: the list refreshes by itself within a few seconds.
    qtbot.waitUntil(lambda: "Arrived, Newly" in names(page), timeout=15_000)
