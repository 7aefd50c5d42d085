"""parse_value: the one entry point that turns a typed 指标值 into a ParsedValue."""

from __future__ import annotations

import functools

from indicators.values.grades import _is_measurable
from indicators.values.parsed import (
    MAX_LENGTH,
    REASON_CHINESE_NUMERAL,
    REASON_CONTROL,
    REASON_MIXED,
    REASON_NO_NUMBER,
    REASON_TOO_LONG,
    REASON_UNRECOGNISED,
    ParsedValue,
    ValueKind,
    _unparsed,
)
from indicators.values.periods import _parse_period
from indicators.values.quantities import _COMPARATOR_ONLY_RE, _parse_quantity, _parse_tolerance
from indicators.values.text import _clean, _compact, _has_cjk, _has_digit, _is_wordy


# The result is frozen and depends on the two strings only; a table's checks, its editor and an
# import's preview ask for the same value several times (2.3 calls a row in the preview).
@functools.lru_cache(maxsize=8192)
def parse_value(text: str | None, *, indicator_name: str = "") -> ParsedValue:
    """Parse a typed 指标值. Never raises; unreadable input comes back as UNPARSED."""
    if text is None:
        return ParsedValue(kind=ValueKind.EMPTY)
    cleaned, has_control = _clean(str(text))
    if not cleaned.strip():
        return _unparsed(REASON_CONTROL) if has_control else ParsedValue(kind=ValueKind.EMPTY)
    if has_control:
        return _unparsed(REASON_CONTROL)
    s = _compact(cleaned)
    if not s:
        # Only trailing punctuation such as "。": nothing to parse, but not blank either.
        return _unparsed(REASON_UNRECOGNISED)
    if len(s) > MAX_LENGTH:
        return _unparsed(REASON_TOO_LONG)
    name = _compact(_clean(indicator_name or "")[0])

    period = _parse_period(s, name)
    if period is not None:
        return period
    tolerance = _parse_tolerance(s, name)
    if tolerance is not None:
        return tolerance
    quantity = _parse_quantity(s, name)
    if quantity is not None:
        return quantity

    if not _has_digit(s):
        if _COMPARATOR_ONLY_RE.fullmatch(s):
            return _unparsed(REASON_NO_NUMBER)
        if "百分之" in s:
            return _unparsed(REASON_CHINESE_NUMERAL)
        if _is_wordy(s):
            return ParsedValue(kind=ValueKind.QUALITATIVE, text=s, measurable=_is_measurable(s))
        return _unparsed(REASON_UNRECOGNISED)
    if _has_cjk(s):
        return _unparsed(REASON_MIXED)
    return _unparsed(REASON_UNRECOGNISED)
