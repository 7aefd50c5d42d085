"""Parse the free-text target value (指标值) of a performance indicator (绩效指标).

Staff type values such as ``≧85%``, ``>=97.9%``, ``　960元/人/年（不足部分由上级经费弥补）``,
``2019年底前`` or ``明显提高``. The typed text is kept verbatim elsewhere; this package turns it
into a :class:`ParsedValue` for lint, comparison and monitoring, and proposes a canonical
spelling. Pure Python on purpose: the linter, importers and exports all call it without Django.

Conventions worth knowing (see DOMAIN.md §6 and §9):

* No comparator means "exactly"; ``=`` parses to :attr:`Comparator.EQ` but is not printed,
  so ``=100%`` and ``100%`` share one normal form.
* ``达到95%`` is treated like ``95%`` — 达到 alone adds no direction; ``达到90%以上`` is ``≥90%``.
* A bare ``1`` on a 率/比例/覆盖 indicator means 100% (the seeds write it for 到位率). A name
  that declares ``（%）`` wins over that rule: the column is already in percent, so ``1`` is 1%.
* A bare number on a name that states a unit in a trailing bracket (造林面积（亩）, 参保率（%）)
  takes that unit, flagged ``unit_implied``.
* Periods as real tables write them: ``2023.07-2024.01``, ``2021年1月-12月``, ``1-12月``, and
  deadlines with their deed, ``12月底前拨付到位``. A bare ``2023.07`` is a month unless the
  name is about an amount or a count. :func:`period_bounds` turns a period into days.
* ``±3%以内`` is a tolerance (:attr:`Comparator.TOLERANCE`); its normal form is ``±3%``.
* :func:`suggest_normal_form` ignores cosmetic differences (width, spaces, separators).
* Anything we cannot read with confidence is ``UNPARSED`` with a reason; we never guess and
  never raise.

One module per noun; callers import from the package, never from a module:

- `parsed`: the result (`ParsedValue`, `Comparator`, `ValueKind`), the reasons and the limits;
- `text`: folding width variants, cleaning invisible characters, telling words from symbols;
- `quantities`: comparator words, numbers, units, quantities and tolerances;
- `periods`: the period grammar and `period_bounds`;
- `grades`: the measurable grades among qualitative values;
- `parser`: `parse_value`, which tries periods, tolerances, quantities and words in turn;
- `spellings`: cosmetic differences and `suggest_normal_form`;
- `cells`: `split_name_value`, for a name and its value typed in one cell.
"""

from indicators.values.cells import split_name_value
from indicators.values.parsed import Comparator, ParsedValue, ValueKind
from indicators.values.parser import parse_value
from indicators.values.periods import period_bounds
from indicators.values.spellings import cosmetically_equal, suggest_normal_form

__all__ = [
    "Comparator",
    "ParsedValue",
    "ValueKind",
    "cosmetically_equal",
    "parse_value",
    "period_bounds",
    "split_name_value",
    "suggest_normal_form",
]
