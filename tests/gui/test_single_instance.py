"""One running copy: a package opened while sendesk runs goes to the running window (after an
unlock if it is locked); bad messages are refused; a stale socket is replaced; and a real
second `sendesk FILE` launch hands over and exits."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from tests.gui.test_foundation import unlock, wait_for_main_window

from sendesk.ui import single_instance
from sendesk.ui.single_instance import InstanceServer, decode, encode, hand_over, serve


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "incoming.sendesk-transfer"
    path.write_bytes(b"age-encryption.org/v1\n")
    return path


def from_another_process(qtbot, script: str, *args: str) -> str:
    """Run a second launch's blocking call in a real second process while this one answers,
    as a school PC does; what it prints comes back. (On a thread of this process Qt's blocking
    waits and the running copy's slots took turns at Python's lock, and on a busy CI machine the
    reply sometimes came after the second launch had given up.)"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    code = ("import sys\nfrom pathlib import Path\nfrom PySide6.QtCore import QCoreApplication\n"
            "app = QCoreApplication([])\n" + textwrap.dedent(script))
    launch = subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: launch.poll() is not None, timeout=30_000)
    finally:
        if launch.poll() is None:
            launch.kill()
    out, err = launch.communicate()
    assert launch.returncode == 0, err.decode()
    return out.decode().strip()


HAND_OVER = """
from sendesk.ui.single_instance import hand_over
print(hand_over(Path(sys.argv[1]), name=sys.argv[2]))
"""


def test_the_message_is_short_checked_and_refused_when_odd(package, tmp_path):
    assert decode(encode(package)) == ("open", package)
    assert decode(encode(None)) == ("show", None)
    other = tmp_path / "notes.txt"
    other.write_text("x")
    for bad, why in ((b"open incoming.sendesk-transfer\n", "full path"),
                     (f"open {other}\n".encode(), "records-transfer packages"),
                     (f"open {tmp_path / 'gone.sendesk-transfer'}\n".encode(), "no file"),
                     (b"delete everything\n", "not one sendesk understands"),
                     (b"\xff\xfe\n", "not text"),
                     (b"open /" + b"a" * 5000 + b"\n", "too long"),
                     (b"show", "incomplete")):
        with pytest.raises(ValueError, match=why):
            decode(bad)


def test_the_socket_is_per_user_and_per_data_folder(tmp_path):
    first, second = single_instance.server_name(tmp_path / "a"), single_instance.server_name(tmp_path / "b")
    assert first != second and "sendesk-" in first


def test_a_package_goes_to_the_unlocked_window(qtbot, make_controller, school, package):
    controller = make_controller()
    server = serve(controller)
    assert server is not None
    controller.start(school[0])
    unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    assert from_another_process(qtbot, HAND_OVER, str(package), server.name) == "True"
    qtbot.waitUntil(lambda: controller.workspace.transfers.wizard is not None
                    and controller.workspace.transfers.wizard.isVisible(), timeout=5_000)
    assert controller.workspace.transfers.wizard.open_page.path.text() == str(package)
    assert window.pages.currentWidget() is controller.workspace.transfers


def test_a_locked_window_asks_for_the_unlock_first(qtbot, make_controller, school, package):
    controller = make_controller()
    server = serve(controller)
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    controller.lock()
    assert from_another_process(qtbot, HAND_OVER, str(package), server.name) == "True"
    dialog = controller.unlock_dialog
    qtbot.waitUntil(lambda: "Unlock to receive the pupil's file incoming.sendesk-transfer"
                    in dialog.lock_notice.text(), timeout=5_000)
    assert "Locked at" in dialog.lock_notice.text(), "why it is locked is still said"
    assert controller.main_window is None, "nothing opens before the unlock"
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    wizard = controller.workspace.transfers.wizard
    assert wizard is not None and wizard.isVisible()
    assert wizard.open_page.path.text() == str(package)


def test_a_refused_message_is_answered_and_opens_nothing(qtbot, make_controller, school, tmp_path):
    controller = make_controller()
    server = serve(controller)
    controller.start(school[0])
    arrived = []
    server.arrived.connect(arrived.append)

    reply = from_another_process(qtbot, """
        from PySide6.QtNetwork import QLocalSocket
        socket = QLocalSocket()
        socket.connectToServer(sys.argv[1])
        assert socket.waitForConnected(1_000)
        socket.write(b"open relative.sendesk-transfer\\n")
        socket.waitForBytesWritten(1_000)
        reply = b""
        while not reply.endswith(b"\\n") and socket.waitForReadyRead(10_000):
            reply += bytes(socket.readAll().data())
        print(reply.decode())
        """, server.name)
    assert reply.startswith("refused: ") and "full path" in reply
    assert arrived == [] and controller.pending_package is None


def test_no_running_copy_means_start_here(tmp_path):
    assert hand_over(None, name=single_instance.server_name(tmp_path / "nobody")) is False


@pytest.mark.skipif(sys.platform == "win32", reason="a stale socket file is a Unix thing")
def test_a_stale_socket_is_replaced(qapp, tmp_path):
    import socket
    name = str(tmp_path / "s.sock")
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(name)          # a crash leaves the file behind with nobody listening on it
    crashed.close()
    assert os.path.exists(name)
    assert hand_over(None, name=name) is False
    server = InstanceServer(name)
    assert server.listen(), "a socket nobody answers on is stale and is replaced"
    live = InstanceServer(name)
    assert not live.listen(), "a live copy's socket is never taken over"
    server.close()


def test_a_second_launch_hands_over_and_exits(qtbot, make_controller, school, package, data_dir):
    controller = make_controller()
    serve(controller)
    controller.start(school[0])
    unlock(qtbot, controller)
    wait_for_main_window(qtbot, controller)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SENDESK_DATA_DIR": str(data_dir)}
    launch = subprocess.Popen([sys.executable, "-m", "sendesk.ui.app", str(package)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: launch.poll() is not None, timeout=20_000)
    finally:
        if launch.poll() is None:       # it started a second copy instead: that is the bug
            launch.kill()
            launch.wait()
    assert launch.returncode == 0, launch.stderr.read().decode()
    qtbot.waitUntil(lambda: controller.workspace.transfers.wizard is not None
                    and controller.workspace.transfers.wizard.isVisible(), timeout=5_000)
    assert controller.workspace.transfers.wizard.open_page.path.text() == str(package)
