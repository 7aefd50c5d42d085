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


def _changed(values: tuple, n: int) -> tuple[tuple, int | str]:
    """`values` with their n-th parameter changed, and its new value: in an IN list, to an
    id that is not in the list already (Django drops duplicates), in the same place."""
    changed = []
    for value in values:
        if type(value) is tuple:
            if 0 <= n < len(value):
                new = max(value) + 1
                value = (*value[:n], new, *value[n + 1 :])
            n -= len(value)
        else:
            if n == 0:
                new = value + 1 if type(value) is int else value + "\x1f"
                value = new
            n -= 1
        changed.append(value)
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
    collections of ints for an IN list (`build` gets a sorted tuple of distinct ints; each
    length is a key of its own).
    The first call checks this: it compiles the read once more for each parameter, changed,
    and refuses a read whose SQL changed or whose parameters changed anywhere but where the
    value is. A read that Django finds empty without running it (`none()`, an id beyond the
    column's range) is run as it is, and prepared at a later call. Each thread keeps its
    own compilers: compiling adjusts a query's aliases, and a compiler holds its connection.
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
        # An IN list of another length is another SQL.
        key = (key, *(len(value) for value in values if type(value) is tuple))
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
    slots = []
    for n, value in enumerate(_flat(values)):
        changed, new = _changed(values, n)
        probe = _compiled(build(*changed))
        if probe is None:
            return None
        _, probe_sql, probe_params = probe
        if probe_sql != sql or len(probe_params) != len(params):
            raise ValueError("A prepared read's SQL must not depend on its values.")
        slot = [k for k, (a, b) in enumerate(zip(params, probe_params, strict=True)) if a != b]
        if not slot or any(params[k] != value or probe_params[k] != new for k in slot):
            raise ValueError("A prepared read's values must each be a parameter of its SQL.")
        slots.append(slot)
    return _Prepared(read, compiler, sql, params, slots)
