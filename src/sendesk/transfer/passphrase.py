"""The passphrase that locks one package.

Twenty characters from an alphabet without look-alikes (no 0/O, 1/I/L), in groups of four,
so it can be read out over the phone: about 99 bits, far beyond guessing even offline. A fresh one
is made for every package and must travel by a different route from the file.
"""

from __future__ import annotations

import re
import secrets

from ..passwords import require_strong

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 5
GROUP_LENGTH = 4


def generate() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def check_chosen(passphrase: str) -> str:
    """A passphrase the user supplied must be as hard to guess as a strong password."""
    value = passphrase.strip()
    require_strong(value)
    return value


_GENERATED = re.compile(rf"[{ALPHABET}]{{{GROUPS * GROUP_LENGTH}}}")


def normalise(typed: str) -> str:
    """What the user typed, with a generated passphrase forgiven its case and separators
    (people read it out in groups and type it back in lower case)."""
    value = typed.strip()
    compact = re.sub(r"[\s\-]", "", value).upper()
    if _GENERATED.fullmatch(compact):
        return "-".join(compact[i:i + GROUP_LENGTH] for i in range(0, len(compact), GROUP_LENGTH))
    return value
