"""Users of one school database and the rules for their names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ValidationError
from .roles import Permission, Role, describe_roles, permissions_for
from .text import clean_line

_USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")


def clean_username(value: str) -> str:
    name = (value or "").strip().lower()
    if not _USERNAME.fullmatch(name):
        raise ValidationError("A username is 2 to 32 characters: letters, digits, dots, dashes or "
                              "underscores, starting with a letter (for example jsmith).",
                              field="username")
    return name


def clean_full_name(value: str) -> str:
    return clean_line(value, "Full name", max_length=100)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    active: bool = True

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    @property
    def role_label(self) -> str:
        return describe_roles(self.roles)
