"""The main window: menus, the status bar naming the school, user and role, and the area
where the pupil list and records live."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget, QWidget

from ..models.roles import Permission
from ..session import Session
from .about import show_about
from .record_panel import denied_text
from .resources_qt import app_icon
from .runner import OpRunner
from .screen_fit import fit_to_screen

NAV_MIN_WIDTH = 180
NAV_SLACK = 16
MAX_PAGE_KEYS = 9   # Ctrl+1 to Ctrl+9


class MainWindow(QMainWindow):
    lock_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()
    settings_requested = Signal()
    password_change_requested = Signal()
    backup_requested = Signal()
    users_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.discarding = False
        self.setWindowTitle(f"{session.school.name} - sendesk")
        self.setWindowIcon(app_icon())
        fit_to_screen(self, 1200, 760)
        self.nav = QListWidget(objectName="navigation")
        self.nav.setAccessibleName("Pages")
        self.nav.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px; }")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setFixedWidth(NAV_MIN_WIDTH)
        self.pages = QStackedWidget()
        self._page_keys: list[str] = []
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self._build_menus()
        self._build_status_bar()

    def add_page(self, key: str, title: str, widget: QWidget) -> None:
        """Pages (home, pupils, census...) are added by whoever builds the workspace."""
        self._page_keys.append(key)
        self.pages.addWidget(widget)
        item = QListWidgetItem(title, self.nav)
        position = len(self._page_keys)
        if position <= MAX_PAGE_KEYS:   # Ctrl+1.. in the order of the list, shown in the View menu
            keys = f"Ctrl+{position}"
            item.setToolTip(f"{title} ({keys})")
            action = self._action(self.view_menu, title, lambda _=False, k=key: self.show_page(k),
                                  keys, f"page_{key}")
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._fit_navigation()
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def _fit_navigation(self) -> None:
        """Widen the page list to its longest title so no page name is cut off."""
        needed = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + NAV_SLACK
        self.nav.setFixedWidth(max(NAV_MIN_WIDTH, needed))

    def show_page(self, key: str) -> QWidget:
        position = self._page_keys.index(key)
        self.nav.setCurrentRow(position)
        return self.pages.widget(position)

    def find_pupil(self) -> None:
        """Ctrl+F: the Pupils page with its search box ready to type in."""
        if "pupils" in self._page_keys:
            self.show_page("pupils").focus_search()  # type: ignore[attr-defined]

    def page(self, key: str) -> QWidget:
        return self.pages.widget(self._page_keys.index(key))

    def _action(self, menu, text: str, signal, shortcut: QKeySequence | str | None = None,
                name: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name or text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(signal)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.lock_action = self._action(self.file_menu, "&Lock", self.lock_requested, "Ctrl+L", "lock")
        self._action(self.file_menu, "Sign &out", self.sign_out_requested, "Ctrl+Shift+L", "sign_out")
        self.file_menu.addSeparator()
        self._action(self.file_menu, "&Quit", self.quit_requested, QKeySequence.StandardKey.Quit, "quit")
        self.view_menu = bar.addMenu("&View")
        find = self._action(self.view_menu, "&Find a pupil", self.find_pupil,
                            QKeySequence.StandardKey.Find, "find_pupil")
        find.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.view_menu.addSeparator()
        self.tools_menu = bar.addMenu("&Tools")
        # What the role may not use stays in the menu, greyed, saying why (as in the record).
        self.tools_menu.setToolTipsVisible(True)
        self._action(self.tools_menu, "Change my &password...", self.password_change_requested,
                     name="change_password")
        can = self.session.can
        self.grey_unless(self._action(self.tools_menu, "&Users...", self.users_requested,
                                      name="users"), can(Permission.MANAGE_USERS))
        self.grey_unless(self._action(self.tools_menu, "&Back up...", self.backup_requested,
                                      name="backup"), can(Permission.BACKUP))
        self._action(self.tools_menu, "&Settings...", self.settings_requested, name="settings")
        self.grey_unless(self._action(self.tools_menu, "Letter &templates...", self.open_templates,
                                      name="letter_templates"),
                         can(Permission.MANAGE_PLANS) or can(Permission.SETTINGS))
        self._action(self.tools_menu, "Provision &library...", self.open_provision_library,
                     name="provision_library")
        self.grey_unless(self._action(self.tools_menu, "School &details...",
                                      self.open_school_details, name="school_details"),
                         can(Permission.MANAGE_PLANS) or can(Permission.SETTINGS))
        self._action(self.tools_menu, "Class &handover pack...", self.open_handover,
                     name="handover_pack")
        help_menu = bar.addMenu("&Help")
        about = QAction("&About sendesk", self)
        about.triggered.connect(lambda: show_about(self))
        help_menu.addAction(about)

    def grey_unless(self, action: QAction, allowed: bool) -> None:
        """A menu item the role may not use stays in the menu, greyed, saying why."""
        if not allowed:
            action.setEnabled(False)
            action.setToolTip(denied_text(self.session))

    def open_templates(self) -> None:
        from .templates_dialog import TemplatesDialog
        TemplatesDialog(self.session, self, runner=self.runner).exec()

    def open_provision_library(self) -> QWidget:
        """The school's interventions: the SENCO edits them, everyone reads them."""
        from .provision_library_window import ProvisionLibraryWindow
        window = ProvisionLibraryWindow(self.session, self, runner=self.runner)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window
    def open_school_details(self) -> None:
        from .school_details_dialog import SchoolDetailsDialog
        SchoolDetailsDialog(self.session, self, runner=self.runner).exec()

    def open_handover(self) -> None:
        from .handover_dialog import HandoverDialog
        HandoverDialog(self.session, self, runner=self.runner).exec()

    def _build_status_bar(self) -> None:
        school = self.session.school
        self.school_label = QLabel(f"{school.name}  ({school.reference})" if school.reference else school.name,
                                   objectName="status_school")
        self.user_label = QLabel(f"Signed in as {self.session.user.full_name}", objectName="status_user")
        self.role_label = QLabel(f"Role: {self.session.user.role_label}", objectName="status_role")
        for label in (self.school_label, self.user_label, self.role_label):
            label.setStyleSheet("padding: 0 10px; border-left: 1px solid #bbb;")
            self.statusBar().addPermanentWidget(label)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Closing the window by hand quits; closing it because of a lock does not."""
        event.accept()
        if not self.discarding:
            self.quit_requested.emit()
