"""Long words in a wrapped label: Qt wraps a label only between words, so a path or an
address with no spaces in it runs past the window's right edge and is cut off there (the
forgotten-password window lost the end of a refusal naming a long folder). `breakable` gives
such a word places to break, invisibly: a zero-width space after each path separator, and
where a capital starts a word or every so often inside a part still too long. Short words
are left exactly as they were."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel

ZERO_WIDTH_SPACE = "\u200b"
LONG_WORD = 40       # characters: about half the width of the narrowest window that wraps one
LONG_PART = 24
_AFTER = re.compile(r"([/\\?&=_.-])")
_CAPITAL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _split_part(part: str) -> str:
    """A long run between separators breaks where a capital starts a word ("...JulyFor"),
    and, where that is not enough, every LONG_PART characters."""
    if len(part) <= LONG_PART:
        return part
    words = _CAPITAL.sub(ZERO_WIDTH_SPACE, part).split(ZERO_WIDTH_SPACE)
    return ZERO_WIDTH_SPACE.join(word[i:i + LONG_PART] for word in words
                                 for i in range(0, len(word), LONG_PART))


def _break_word(word: str) -> str:
    if len(word) <= LONG_WORD:
        return word
    pieces = _AFTER.split(word)
    out = []
    for piece in pieces:
        if _AFTER.fullmatch(piece):
            out.append(piece + ZERO_WIDTH_SPACE)
        else:
            out.append(_split_part(piece))
    return "".join(out).rstrip(ZERO_WIDTH_SPACE)


def breakable(text: str) -> str:
    """`text` with break opportunities inside each word too long to fit on a line."""
    return re.sub(r"\S+", lambda m: _break_word(m.group(0)), text)


def plain(text: str) -> str:
    """What was said, without the break opportunities (to compare, copy or read out)."""
    return text.replace(ZERO_WIDTH_SPACE, "")


class BreakingLabel(QLabel):
    """A word-wrapped label that breaks long words (above) where it shows them; text() gives
    back what was set, so a message is read and compared as it was written."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(breakable(text))

    def text(self) -> str:
        return plain(super().text())
