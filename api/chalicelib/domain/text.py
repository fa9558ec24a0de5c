"""What people write, made safe to store and show: one normal form for every free text.

Text arrives from forms, JSON and staff consoles in every state: decomposed accents, pasted
terminal colours, NUL bytes, right-to-left overrides that make a note read differently from what
it says, or a subject made of nothing but zero-width spaces. ``clean_text`` gives the one form the
portal keeps: NFC, no control characters but newline and tab, no terminal escape sequences, no
invisible direction or zero-width marks at the edges; and text with nothing visible left counts as
not given at all.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text"]

# ECMA-48 control sequences (colours, cursor moves) and operating-system commands, as a terminal
# would read them: the whole sequence goes, not only its ESC.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Bidirectional embeddings, overrides and isolates: they reorder how the rest of a line displays.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_KEPT_CONTROLS = frozenset("\n\t")


def _visible_or_kept(char: str) -> bool:
    return char in _KEPT_CONTROLS or unicodedata.category(char) != "Cc"


def clean_text(raw: str) -> str:
    """The normal form of ``raw``, without leading or trailing whitespace (possibly empty)."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BIDI_CONTROLS.sub("", _ESCAPE_SEQUENCE.sub("", text))
    text = "".join(char for char in text if _visible_or_kept(char))
    return _strip_invisible(text)


def _strip_invisible(text: str) -> str:
    # Whitespace and format characters (zero-width space, joiners, BOM) at the edges show nothing;
    # inside a text a joiner may be part of an emoji or a word, so it stays there.
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp")
