"""Characters of a typed value: width folding, spacing, invisible characters, words."""

from __future__ import annotations

import re
import unicodedata

# --- character normalisation -------------------------------------------------------------

# Only width variants of ASCII digits, letters and operators are folded. Chinese punctuation
# (，（）) stays as typed: a full-width comma is a list separator, not a thousands separator.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "％": "%",
        "﹪": "%",
        "＞": ">",
        "﹥": ">",
        "＜": "<",
        "﹤": "<",
        "＝": "=",
        "﹦": "=",
        "～": "~",
        "〜": "~",
        "∼": "~",
        "．": ".",
        "－": "-",
        "−": "-",
        "﹣": "-",
        "＋": "+",
        "／": "/",
        "≒": "≈",
    }
)

_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_WHITESPACE_RUN = re.compile(r"\s+")
_TRAILING_PUNCT = "。.；;，,、"


def _is_cjk_ideograph(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or ch == "〇"
    )


def _has_cjk(s: str) -> bool:
    return any(_is_cjk_ideograph(ch) for ch in s)


def _has_digit(s: str) -> bool:
    # ASCII only: Decimal would happily read Arabic-Indic or other Unicode digits.
    return any("0" <= ch <= "9" for ch in s)


def _join_whitespace(match: re.Match[str]) -> str:
    # Spaces between Chinese characters, operators and units are typing noise; between two
    # ASCII alphanumerics they separate words or, for "30 000", make the value unreadable,
    # which is what we want rather than silently gluing digits together.
    text, start, end = match.string, match.start(), match.end()
    if (
        0 < start
        and end < len(text)
        and text[start - 1] in _ASCII_ALNUM
        and text[end] in _ASCII_ALNUM
    ):
        return " "
    return ""


def _compact(s: str) -> str:
    s = s.translate(_FOLD).strip()
    s = s.rstrip(_TRAILING_PUNCT).strip()
    return _WHITESPACE_RUN.sub(_join_whitespace, s)


def _clean(text: str) -> tuple[str, bool]:
    """Drop invisible format characters (zero-width spaces from Word); report control chars."""
    if text.isprintable():  # no Cc or Cf character: the common case, checked in C
        return text, False
    has_control = False
    kept: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category == "Cc" and not ch.isspace():
            has_control = True
            continue
        kept.append(ch)
    return "".join(kept), has_control


# --- qualitative text --------------------------------------------------------------------

_NOT_WORDS = frozenset("%‰‱#*@&\\")


def _is_wordy(s: str) -> bool:
    """Chinese words with ordinary punctuation: no digits, operators, symbols or emoji."""
    if not _has_cjk(s):
        return False
    for ch in s:
        if _is_cjk_ideograph(ch) or ch == " " or ("A" <= ch <= "Z") or ("a" <= ch <= "z"):
            continue
        if unicodedata.category(ch).startswith("P") and ch not in _NOT_WORDS:
            continue
        return False
    return True
