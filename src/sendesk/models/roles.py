"""Who may do what. The core checks these on every action; the UI only mirrors them."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from ..errors import ValidationError


class Role(str, enum.Enum):
    SENCO = "senco"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"senco": "SENCO", "staff": "Staff", "admin": "Administrator"}[self.value]


class Permission(enum.Enum):
    VIEW_RECORDS = "view records"
    ADD_NOTES = "add notes"
    EDIT_PUPILS = "edit pupil details"
    IMPORT_PUPILS = "import pupils"
    CHANGE_SEN_STATUS = "change SEN status or needs"
    MANAGE_PLANS = "manage support plans"
    EXPORT_DOCUMENTS = "export documents"
    EXPORT_TRANSFER = "send or receive records transfers"
    MANAGE_USERS = "manage users"
    BACKUP = "make backups"
    SETTINGS = "change school settings"
    READ_AUDIT = "read the audit log"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: frozenset({Permission.VIEW_RECORDS, Permission.ADD_NOTES}),
    Role.SENCO: frozenset({
        Permission.VIEW_RECORDS, Permission.ADD_NOTES, Permission.EDIT_PUPILS,
        Permission.IMPORT_PUPILS, Permission.CHANGE_SEN_STATUS, Permission.MANAGE_PLANS,
        Permission.EXPORT_DOCUMENTS, Permission.EXPORT_TRANSFER, Permission.READ_AUDIT}),
    Role.ADMIN: frozenset({
        Permission.VIEW_RECORDS, Permission.EDIT_PUPILS, Permission.IMPORT_PUPILS,
        Permission.MANAGE_USERS, Permission.BACKUP, Permission.SETTINGS, Permission.READ_AUDIT}),
}


def who_may(permission: Permission) -> str:
    """Whom to ask for something a role does not allow: the roles that do, by name (an
    administrator refused an export is told to ask the SENCO, not themselves)."""
    asked = {Role.SENCO: "a SENCO", Role.ADMIN: "an administrator",
             Role.STAFF: "a member of staff"}
    labels = [name for role, name in asked.items() if permission in GRANTS[role]]
    return "Ask " + " or ".join(labels) + "." if labels else "No role allows it."


def parse_roles(text: str | Iterable[str]) -> frozenset[Role]:
    """'senco,admin' or ['senco', 'admin'] -> roles; a user holds one or more."""
    items = text.split(",") if isinstance(text, str) else list(text)
    roles = set()
    for item in items:
        name = item.strip().lower()
        if not name:
            continue
        try:
            roles.add(Role(name))
        except ValueError as exc:
            raise ValidationError(f"'{item.strip()}' is not a role. Use senco, staff or admin.",
                                  field="role") from exc
    if not roles:
        raise ValidationError("Give the user at least one role: senco, staff or admin.", field="role")
    return frozenset(roles)


def format_roles(roles: Iterable[Role]) -> str:
    return ",".join(sorted(role.value for role in roles))


def describe_roles(roles: Iterable[Role]) -> str:
    order = [Role.SENCO, Role.ADMIN, Role.STAFF]
    return ", ".join(role.label for role in order if role in set(roles))


def permissions_for(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= GRANTS[role]
    return frozenset(granted)
