"""Spellings of a value: which differences are cosmetic, and the canonical spelling."""

from __future__ import annotations

import re

from indicators.values.parsed import Comparator, ValueKind
from indicators.values.parser import parse_value
from indicators.values.quantities import _RANGE_SEP
from indicators.values.text import _FOLD, _TRAILING_PUNCT, _WHITESPACE_RUN, _clean
from perfgoals.display import decimal_text

# --- cosmetic differences ----------------------------------------------------------------

# Width, spaces, trailing punctuation, the spelling of a range separator and the parentheses'
# width change nothing a reader takes from a value; a table should not be asked to change them.
_COSMETIC_FOLD = str.maketrans({"(": "（", ")": "）"})
_SEPARATOR_BETWEEN_RE = re.compile(
    rf"(?<=[0-9%‰A-Za-z\u3400-\u4dbf\u4e00-\u9fff）])(?:{_RANGE_SEP})(?=[0-9])"
)
# Around ±, 误差/偏差 only say what the tolerance is of, and 以内 repeats what ± says.
_TOLERANCE_WORDS_RE = re.compile(
    r"^(?:上下)?(?:误差|偏差|浮动|波动)率?(?:范围)?(?:为|在|控制在)?(?=±)"
    r"|(?<=[0-9%‰A-Za-z\u3400-\u4dbf\u4e00-\u9fff])(?:以内|之内|范围内|内)$"
)


def _cosmetic_key(text: str) -> str:
    s = _clean(text)[0].translate(_FOLD).translate(_COSMETIC_FOLD)
    s = _WHITESPACE_RUN.sub("", s).rstrip(_TRAILING_PUNCT)
    s = _SEPARATOR_BETWEEN_RE.sub("~", s)
    if "±" in s:
        s = _TOLERANCE_WORDS_RE.sub("", s)
    return s


def cosmetically_equal(a: str, b: str) -> bool:
    """Whether two spellings of a value differ only in ways that change nothing for a reader.

    Full-width ％, digits and brackets, spaces anywhere (full-width, leading, trailing),
    trailing punctuation, the range separator (- — ~ 到 至) and the words around a tolerance
    (误差±3%以内 = ±3%). Not cosmetic: ≧ or >= for ≥, a unit added or left out, 1 for 100%.
    """
    return _cosmetic_key(a) == _cosmetic_key(b)


def suggest_normal_form(text: str, *, indicator_name: str = "") -> str | None:
    """The canonical spelling when it differs from the typed text in meaning or in a wrong
    character, else None.

    ≧85% → ≥85%; >=97.9% → ≥97.9%; 1 on a 率/比例 indicator → 100%; ≥85 on a name with （%）
    → ≥85%; 不低于20元 → ≥20元. Cosmetic differences (see :func:`cosmetically_equal`) give
    None: 100％, "　100%", 80-90% (the unit once on a range), 2020年9月-2021年8月, ±3%以内.
    A quantitative remark is kept, in full-width parentheses. EMPTY and UNPARSED values have
    no canonical spelling and give None.
    """
    parsed = parse_value(text, indicator_name=indicator_name)
    if parsed.kind in (ValueKind.EMPTY, ValueKind.UNPARSED):
        return None
    canonical = parsed.normal_form()
    remark = f"（{parsed.text}）" if parsed.kind is ValueKind.QUANTITATIVE and parsed.text else ""
    spellings = [canonical + remark]
    if parsed.comparator is Comparator.RANGE and parsed.number is not None and parsed.upper:
        # 80-90%: the unit written once for both ends is how most tables write a range.
        short = f"{decimal_text(parsed.number)}~{decimal_text(parsed.upper)}{parsed.unit}"
        spellings.append(short + remark)
    if any(cosmetically_equal(text, spelling) for spelling in spellings):
        return None
    return canonical + remark
