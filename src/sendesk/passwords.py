"""The one password rule, shared by the create dialog, the CLI and password changes.

zxcvbn estimates how long a password would stand up to guessing, which catches
'Summer2024!' where a length-and-symbols rule would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

from .errors import WeakPassword

MIN_SCORE = 3
MIN_LENGTH = 10
# zxcvbn's running time grows with length; beyond this a password is strong anyway.
_ESTIMATE_PREFIX = 64

LABELS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")


@dataclass(frozen=True)
class Strength:
    score: int
    label: str
    advice: str
    acceptable: bool


def assess(password: str, user_inputs: Iterable[str] = ()) -> Strength:
    """Score a password 0-4, with advice a teacher can act on."""
    if not password:
        return Strength(0, LABELS[0], "Enter a password.", False)
    inputs = [word for word in user_inputs if word]
    result = zxcvbn(password[:_ESTIMATE_PREFIX], user_inputs=inputs)
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    hints = [feedback.get("warning") or ""] + list(feedback.get("suggestions") or [])
    advice = " ".join(hint for hint in hints if hint)
    acceptable = score >= MIN_SCORE and len(password) >= MIN_LENGTH
    if len(password) < MIN_LENGTH:
        advice = f"Use at least {MIN_LENGTH} characters. " + advice
    elif not acceptable:
        advice = "Not strong enough yet. " + (advice or "Add more words that are hard to guess.")
    if acceptable:
        advice = advice or "This password is strong enough."
    return Strength(score, LABELS[score], advice.strip(), acceptable)


def require_strong(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Refuse a password that would not protect children's records."""
    strength = assess(password, user_inputs)
    if not strength.acceptable:
        raise WeakPassword(f"That password is too weak ({strength.label.lower()}). {strength.advice}",
                           field="password")
