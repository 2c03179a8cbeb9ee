"""The application's life cycle: create or unlock, work, lock, unlock again, quit.

Locking discards: the main window and every other window showing pupil data are closed and
deleted, the session's connection is closed and its key overwritten. Nothing is hidden behind
a flag. An auto-lock or Ctrl+L keeps any quick-unlock key (if the user opted in); signing out
or quitting wipes it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from ..clock import Clock, SystemClock
from ..errors import SendeskError
from ..operations import Cancelled
from ..quickunlock import QuickUnlock, expiry
from ..services import backup as backup_mod
from ..services import lifecycle
from ..session import Session
from ..settings import Settings, data_dir
from ..store.keyfile import KeyFile, keyfile_path
from ..store.server_address import is_server_url
from ..transfer.sending import school_fingerprint
from . import table_keys
from .create_dialog import CreateDatabaseDialog
from .inactivity import InactivityTimer
from .main_window import MainWindow
from .password_dialog import ChangePasswordDialog
from .prompts import prompts
from .recovery_dialog import RecoveryKeyDialog
from .runner import OpRunner, share_the_gil
from .settings_dialog import SettingsDialog
from .unlock_dialog import UnlockDialog, lock_notice
from .users_dialog import UsersDialog
from .workspace import Workspace


class AppController(QObject):
    session_opened = Signal(object)
    locked = Signal()

    def __init__(self, app: QApplication, settings: Settings | None = None,
                 quick_unlock: QuickUnlock | None = None, clock: Clock | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.clock = clock or SystemClock()
        self.settings = settings or Settings.load()
        self.quick = quick_unlock or QuickUnlock(clock=self.clock)
        # Before unlocking: work with no session (deriving keys, opening the database). Once
        # unlocked, each session has its own runner, shut down when it is locked.
        self.entry_runner = OpRunner(None, self)
        share_the_gil()
        self.runner: OpRunner | None = None
        self.inactivity = InactivityTimer(self)
        self.inactivity.inactive.connect(self._lock_when_idle)
        app.installEventFilter(self.inactivity)
        table_keys.install(app)
        app.setQuitOnLastWindowClosed(False)
        self.session: Session | None = None
        self.main_window: MainWindow | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.create_dialog: CreateDatabaseDialog | None = None
        self.unlock_hint = ""
        self.lock_notice = ""   # when and why the last lock happened, for the unlock window
        self.recovery_dialog: RecoveryKeyDialog | None = None
        self.workspace: Workspace | None = None
        # A records-transfer package the app was started with: received once unlocked.
        self.pending_package: Path | None = None

    # --- starting -------------------------------------------------------------------
    def start(self, database: Path | str | None = None) -> None:
        """The unlock window for the database named, or last used; else the first window."""
        if database is not None:
            self.settings.last_database = str(database)
        remembered = self.settings.last_database
        if remembered and (is_server_url(remembered) or Path(remembered).exists()):
            self.show_unlock()
        else:
            self.show_create()

    def show_create(self) -> None:
        self._close_entry_dialogs()
        dialog = CreateDatabaseDialog(self.entry_runner)
        dialog.created.connect(self._created)
        dialog.open_existing.connect(self._open_existing)
        dialog.connect_server.connect(lambda: self.show_unlock(on_server=True))
        dialog.rejected.connect(self._entry_cancelled)
        self.create_dialog = dialog
        dialog.show()

    def _open_existing(self) -> None:
        chosen = prompts.open_file(self.create_dialog, "Open a school database", str(data_dir()),
                                   "sendesk databases (*.sendesk);;All files (*)")
        if chosen:
            self.settings.last_database = str(chosen)
            self.show_unlock()

    def show_unlock(self, message: str = "", on_server: bool = False) -> None:
        """on_server: open on the school server's fields (a new PC's first sign-in)."""
        self._close_entry_dialogs()
        dialog = UnlockDialog(self.entry_runner, self.settings.last_database or "",
                              self.settings.last_username or "", self.quick_unlock_possible,
                              clock=self.clock, server=self.settings.last_server or "",
                              start_on_server=on_server)
        dialog.unlocked.connect(self._unlocked_with_password)
        dialog.create_requested.connect(self.show_create)
        dialog.quick_unlock_requested.connect(self.quick_unlock)
        dialog.rejected.connect(self._entry_cancelled)
        if message:
            dialog.show_message(message)
        dialog.show_hint(self.unlock_hint)
        dialog.show_lock_notice(self.lock_notice)
        self.unlock_dialog = dialog
        dialog.show()

    def _close_entry_dialogs(self) -> None:
        for dialog in (self.unlock_dialog, self.create_dialog):
            if dialog is not None:
                dialog.rejected.disconnect()
                dialog.close()
                dialog.deleteLater()
        self.unlock_dialog = self.create_dialog = None

    def _entry_cancelled(self) -> None:
        if self.session is None:
            self.quit()

    # --- sessions -------------------------------------------------------------------
    def _created(self, session: Session, recovery_key: str) -> None:
        """Show the recovery key before anything else; work starts once it is confirmed kept."""
        dialog = RecoveryKeyDialog(session.school, recovery_key, today=self.clock.today())
        dialog.accepted.connect(lambda: self._unlocked_with_password(session))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.recovery_dialog = dialog
        dialog.open()

    def _unlocked_with_password(self, session: Session) -> None:
        if self.settings.quick_unlock and self.quick.available and not session.on_server:
            self.quick.store(session.database_id, session.user.username, session.data_key,
                             expiry(self.clock, self.settings.quick_unlock_hours))
        self._open_session(session)

    def _open_session(self, session: Session) -> None:
        self.session = session
        self.create_dialog = self.unlock_dialog = None
        self.unlock_hint = self.lock_notice = ""
        # A server session has no file: its address (no password) is what opens it again.
        self.settings.last_database = session.location
        if session.on_server:
            self.settings.last_server = session.location
        self.settings.last_username = session.user.username
        self._save_settings()
        self.runner = OpRunner(session, self)
        window = MainWindow(session, runner=self.runner)
        window.lock_requested.connect(self.lock)
        window.sign_out_requested.connect(self.sign_out)
        window.quit_requested.connect(self.quit)
        window.settings_requested.connect(self.edit_settings)
        window.password_change_requested.connect(self.change_password)
        window.backup_requested.connect(self.make_backup)
        window.users_requested.connect(self.manage_users)
        self.main_window = window
        self.workspace = Workspace(window, session, self.runner)
        window.show()
        self.inactivity.start(self.settings.idle_lock_minutes * 60_000)
        self.session_opened.emit(session)
        if self.pending_package is not None:
            package, self.pending_package = self.pending_package, None
            self.workspace.receive_package(package)

    def quick_unlock_possible(self, path: str) -> bool:
        if not (self.settings.quick_unlock and self.quick.available and path) or is_server_url(path):
            return False
        try:
            database_id = KeyFile.load(keyfile_path(Path(path))).database_id
        except SendeskError:
            return False
        return self.quick.fetch(database_id) is not None

    def quick_unlock(self, path: str) -> None:
        dialog = self.unlock_dialog
        try:
            database_id = KeyFile.load(keyfile_path(Path(path))).database_id
        except SendeskError as exc:
            if dialog:
                dialog.show_message(str(exc))
            return
        entry = self.quick.fetch(database_id)
        if entry is None:
            if dialog:
                dialog.show_message("Quick unlock has expired. Enter your password.")
                dialog.refresh_quick_unlock()
            return
        username, key = entry
        self.entry_runner.submit_plain(
            lambda: lifecycle.open_with_data_key(Path(path), key, username, self.clock),
            on_done=self._quick_unlocked, on_error=self._quick_failed)

    def _quick_unlocked(self, session: Session) -> None:
        if self.unlock_dialog is not None:
            self.unlock_dialog.accept()
        self._open_session(session)

    def _quick_failed(self, exc: BaseException) -> None:
        if self.unlock_dialog is not None:
            self.unlock_dialog.show_message(lifecycle.describe_failure(exc) +
                                            " Enter your password instead.")

    # --- locking and quitting -----------------------------------------------------------
    def _lock_when_idle(self) -> None:
        self.lock("idle")

    def lock(self, reason: str = "keys") -> None:
        """Discard everything that shows or holds pupil data, then ask for the password again,
        saying when and why (see unlock_dialog.lock_notice for the reasons)."""
        if self.session is None:
            return
        self.lock_notice = lock_notice(self.clock.now(), reason, self.settings.idle_lock_minutes)
        self.inactivity.stop()
        self._discard_windows()
        session, runner = self.session, self.runner
        self.session = self.runner = None
        if runner is None:
            session.close()
        else:
            runner.shutdown(when_idle=lambda: self._drop(session, runner))
        self.locked.emit()
        self.show_unlock()

    @staticmethod
    def _drop(session: Session, runner: OpRunner) -> None:
        """The locked session's last work has ended (it may have been writing a package for
        seconds after the windows went): only now may its connection close."""
        session.close()
        runner.deleteLater()

    def _stop_runner(self) -> None:
        """Quitting waits for the work under way (the app is going; nothing is left to
        answer) and refuses any more on this session."""
        if self.runner is not None:
            self.runner.shutdown()
            self.runner.wait()
            self.runner.deleteLater()
            self.runner = None
        self.entry_runner.wait()

    def sign_out(self) -> None:
        database_id = self.session.database_id if self.session else None
        self.lock("signed out")
        if database_id is not None:
            self.quick.forget(database_id)
        if self.unlock_dialog is not None:
            self.unlock_dialog.refresh_quick_unlock()

    def quit(self) -> None:
        if self.session is not None:
            self.quick.forget(self.session.database_id)
            self.inactivity.stop()
            self._discard_windows()
            self._stop_runner()
            self.session.close()
            self.session = None
        self._close_entry_dialogs()
        self.app.quit()

    def _discard_windows(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if widget is self.main_window:
                continue
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.done(QDialog.DialogCode.Rejected)
            if widget.isVisible():
                widget.close()
        if self.main_window is not None:
            self.main_window.discarding = True
            self.main_window.close()
            self.main_window.deleteLater()
            self.main_window = None
            self.workspace = None

    def _save_settings(self) -> None:
        try:
            self.settings.save()
        except SendeskError:
            pass  # settings are a convenience; failing to remember a path must not block work

    # --- menu actions ----------------------------------------------------------------------
    def edit_settings(self) -> None:
        fingerprint = (self.runner.call(school_fingerprint) if self.runner is not None
                       else None)
        # Quick unlock keeps a file's data key; a server session has none to keep.
        on_server = self.session is not None and self.session.on_server
        dialog = SettingsDialog(self.settings, self.quick.available and not on_server,
                                self.main_window, fingerprint)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.session is not None:
            self.inactivity.start(self.settings.idle_lock_minutes * 60_000)
            if not self.settings.quick_unlock:
                self.quick.forget(self.session.database_id)
            elif self.quick.available and not on_server:
                self.quick.store(self.session.database_id, self.session.user.username,
                                 self.session.data_key, expiry(self.clock, self.settings.quick_unlock_hours))

    def change_password(self) -> None:
        if self.session is not None:
            ChangePasswordDialog(self.session, self.runner, self.main_window).exec()

    def manage_users(self) -> None:
        if self.session is not None:
            UsersDialog(self.session, self.runner, self.main_window).exec()

    def make_backup(self) -> None:
        session, parent, runner = self.session, self.main_window, self.runner
        if session is None or runner is None:
            return
        password = None
        if session.on_server:   # sealed with the person's own server password (services/backup.py)
            start = str(Path.home() / "school.sendesk-backup")
        else:
            start = str(session.path.with_suffix(".sendesk-backup"))
        out = prompts.save_file(parent, "Save backup as", start, "sendesk backups (*.sendesk-backup)")
        if out is None:
            return
        if session.on_server:
            password = prompts.password(parent, "Seal the backup", "A backup of the school server "
                                        "is sealed with your own server password, and restored "
                                        "with it. Type your password:")
            if password is None:
                return
        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                prompts.info(parent, "Backup stopped", "The backup was stopped; no file was saved.")
            else:
                prompts.error(parent, "Backup failed", lifecycle.describe_failure(exc))

        # The backup reports as it copies, so the progress dialog offers Cancel (runner.py).
        runner.submit(backup_mod.backup, out, password=password, progress_label="Making the backup...",
                      on_done=lambda size: prompts.info(
                          parent, "Backup made", f"The backup was saved to {out} ({size:,} bytes)."),
                      on_error=failed)

    def windows(self) -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets() if w.isVisible()]
