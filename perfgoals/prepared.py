"""Reads compiled once per thread and key, then run with each call's values.

Kernel: imports Django only.

A page's own work is mostly the ORM's, and most of that is compiling SQL that is the same
on every request: the scope of a user's tables compiled in 0.8 ms to read one table by its
id, and a table page read seven such queries. A prepared read keeps the compiler of its
first call, with the SQL it wrote, and runs that SQL with the next call's values in place
of the first one's. Rows come back as the queryset would give them (model instances,
values, converters applied, related rows prefetched).
"""

import threading
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

_INT64 = (-(2**63), 2**63 - 1)


def _normalised(values: tuple) -> tuple:
    """The values as `build` receives them: ints and text as given, and a collection of ints
    (an IN list) as a sorted tuple of distinct ints, a parameter each."""
    normalised = []
    for value in values:
        if type(value) in (int, str):
            normalised.append(value)
        elif isinstance(value, tuple | list | set | frozenset) and all(
            type(item) is int for item in value
        ):
            normalised.append(tuple(sorted(set(value))))
        else:
            raise TypeError(
                "A prepared read takes ints, text and collections of ints, "
                f"not {type(value).__name__}."
            )
    return tuple(normalised)


def _flat(values: tuple) -> list:
    return [item for value in values for item in (value if type(value) is tuple else (value,))]


def _changed(values: tuple, stride: int) -> tuple[tuple, list]:
    """`values` with every parameter changed, each in its place, to one that no parameter
    holds (ints `stride` apart above the largest, text with its place added): the changed
    values and the new parameters in order. Within an IN list the new ids stay distinct, as
    Django would otherwise drop one."""
    flat = _flat(values)
    top = max((item for item in flat if type(item) is int), default=0)
    new = [
        top + stride * (n + 1) if type(item) is int else f"{item}\x1f{stride}:{n}"
        for n, item in enumerate(flat)
    ]
    changed, n = [], 0
    for value in values:
        if type(value) is tuple:
            changed.append(tuple(new[n : n + len(value)]))
            n += len(value)
        else:
            changed.append(new[n])
            n += 1
    return tuple(changed), new


class _Prepared:
    """One compiled read: its compiler answers every later run with the stored SQL."""

    def __init__(self, read: QuerySet, compiler, sql: str, params: list, slots: list[list[int]]):
        self.read = read
        self.sql = sql
        self.params = params
        self.slots = slots
        self.current: list = params
        # The compiler has written its SQL once, which set up what reading the rows needs
        # (the selected columns, their converters, where a related model's columns start);
        # later calls would only write the same SQL again.
        self.compiler = compiler
        self.connection = compiler.connection
        # The columns' converters too: Django asks each column for them on every read.
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        compiler.get_converters = lambda expressions: converters
        compiler.as_sql = self._as_sql
        read.query.get_compiler = self._get_compiler

    def _as_sql(self, *args, **kwargs) -> tuple[str, list]:
        return self.sql, self.current

    def _get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler

    def run(self, values: list) -> list:
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            for n in slot:
                params[n] = value
        self.current = params
        # A copy of the read for its own result cache; its query is the stored one's copy,
        # which hands out the same compiler.
        return list(self.read.all())


class PreparedReads(threading.local):
    """Reads by key: `list(key, build, *values)` is `list(build(*values))`, compiled once
    per thread and key.

    The key holds everything `build` reads besides `values` (BuiltScopes' contract), and the
    SQL `build` writes must not depend on the values, only carry them as parameters: they
    are ints or text (never None, which Django writes as IS NULL), compared, not sliced, or
    collections of ints for an IN list (`build` gets a sorted tuple of distinct ints). Each
    number of values and each length of a list is a key of its own. The first call checks
    this: it compiles the read twice more with every parameter changed, and refuses a read
    whose SQL changed, whose parameters changed anywhere but where the values are, or that
    does not carry each value. A read that Django finds empty without running it (`none()`,
    an id beyond the column's range) is run as it is, and prepared at a later call. Each
    thread keeps its own compilers: compiling adjusts a query's aliases, and a compiler
    holds its connection.
    """

    LIMIT = 512  # keys, each a compiler and its SQL; cleared whole when full

    def __init__(self) -> None:
        self.prepared: dict[tuple, _Prepared] = {}

    def list(self, key: tuple, build: Callable[..., QuerySet], *values) -> list:
        values = _normalised(values)
        if any(type(item) is int and not _INT64[0] <= item <= _INT64[1] for item in _flat(values)):
            # No column holds it, and no database takes it as a parameter: Django's lookups
            # find no rows for it without asking.
            return list(build(*values))
        # Another number of values, or an IN list of another length, is another SQL.
        key = (key, len(values), *(len(value) for value in values if type(value) is tuple))
        prepared = self.prepared.get(key)
        if prepared is None or prepared.connection is not connections[prepared.read.db]:
            prepared = _prepare(build, values)
            if prepared is None:
                return list(build(*values))
            if len(self.prepared) >= self.LIMIT:
                self.prepared.clear()
            self.prepared[key] = prepared
        return prepared.run(_flat(values))


def _compiled(read: QuerySet):
    compiler = read.query.get_compiler(using=read.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return compiler, sql, list(params)


def _prepare(build: Callable[..., QuerySet], values: tuple) -> _Prepared | None:
    read = build(*values)
    compiled = _compiled(read)
    if compiled is None:
        return None
    compiler, sql, params = compiled
    flat = _flat(values)
    slots: list[list[int]] = []
    # Twice, the new ints 1 and then 7919 apart: a parameter worked out from a value (an id
    # plus one) cannot then pass for another value's.
    for stride in (1, 7919):
        changed, new = _changed(values, stride)
        probe = _compiled(build(*changed))
        if probe is None:
            return None
        _, probe_sql, probe_params = probe
        if probe_sql != sql or len(probe_params) != len(params):
            raise ValueError("A prepared read's SQL must not depend on its values.")
        place = {value: n for n, value in enumerate(new)}
        found: list[list[int]] = [[] for _ in flat]
        for k, (old, probed) in enumerate(zip(params, probe_params, strict=True)):
            if old != probed:
                n = place.get(probed) if type(probed) in (int, str) else None
                if n is None or old != flat[n]:
                    raise ValueError("A prepared read's SQL must not depend on its values.")
                found[n].append(k)
        if not all(found) or (slots and found != slots):
            raise ValueError("A prepared read's values must each be a parameter of its SQL.")
        slots = found
    return _Prepared(read, compiler, sql, params, slots)
