"""Prepared reads: compiled once per thread and key, run with each call's values, and the
same rows as the queryset they stand for."""

import threading
from datetime import date

import pytest
from django.db.models import Prefetch
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404

from allocations.models import BudgetLine, FundNotice
from indicators.models import PerformanceIndicator
from perfgoals.models import TargetTable, User
from perfgoals.prepared import PreparedReads
from perfgoals.selectors import table_is_editable_by, target_tables_visible_to
from perfgoals.services import target_table_editable
from perfgoals.targets.selectors import target_table_visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def compilations(monkeypatch):
    """How many times Django wrote the SQL of a read."""
    counted = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        counted.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return counted


def rows_of_table(table_id):
    return PerformanceIndicator.objects.filter(table_id=table_id).order_by("pk")


def test_a_prepared_read_gives_the_querysets_rows_for_each_value(demo, compilations):
    reads = PreparedReads()
    tables = list(TargetTable.objects.filter(indicators__isnull=False).distinct()[:3])
    assert len(tables) == 3
    for table in tables + tables:
        expected = list(rows_of_table(table.pk))
        del compilations[:]
        got = reads.list(("rows",), rows_of_table, table.pk)
        assert [(r.pk, r.name, r.value_text) for r in got] == [
            (r.pk, r.name, r.value_text) for r in expected
        ]
        assert all(type(r) is PerformanceIndicator for r in got)
    # Only the first call compiled: its values and once more with the value changed.
    del compilations[:]
    reads.list(("rows",), rows_of_table, tables[0].pk)
    assert compilations == []


def test_a_prepared_read_converts_columns_and_follows_joins_and_prefetches(demo):
    """Dates, decimals, a joined model and a prefetch come back as the ORM gives them."""

    def build(notice_id):
        return (
            FundNotice.objects.select_related("issuer__region")
            .prefetch_related(Prefetch("budget_lines", BudgetLine.objects.order_by("pk")))
            .filter(pk=notice_id)
        )

    reads = PreparedReads()
    notices = FundNotice.objects.filter(
        budget_lines__isnull=False, issuer__isnull=False, signed_date__isnull=False
    )
    for notice in notices.distinct()[:2]:
        got = reads.list(("notice",), build, notice.pk)
        (expected,) = build(notice.pk)
        assert len(got) == 1
        assert got[0].signed_date == expected.signed_date
        assert isinstance(got[0].signed_date, date)
        assert got[0].issuer.region.name == expected.issuer.region.name
        lines = [(line.pk, line.amount) for line in got[0].budget_lines.all()]
        assert lines == [(line.pk, line.amount) for line in expected.budget_lines.all()]
        assert lines and all(type(amount).__name__ == "Decimal" for _, amount in lines)


def test_a_value_list_read_and_text_values(demo):
    reads = PreparedReads()

    def build(username):
        return User.objects.filter(username=username).values_list("pk", "organisation_id")

    for username in ["ruili_health", "ruili_finance", "nobody-here"]:
        assert reads.list(("user",), build, username) == list(build(username))


def test_an_in_list_is_a_parameter_per_id_and_a_key_per_length(demo, compilations):
    reads = PreparedReads()

    def build(ids):
        return PerformanceIndicator.objects.filter(table_id__in=ids).order_by("pk")

    pks = list(
        TargetTable.objects.filter(indicators__isnull=False).distinct().values_list("pk", flat=True)
    )
    assert len(pks) >= 4
    for ids in [
        pks[:2],
        [pks[3], pks[2]],
        {pks[1], pks[0]},
        [pks[0], pks[2], pks[0]],
        pks[:3],
        pks[1:4],
        [],
    ]:
        expected = [row.pk for row in build(ids)]
        assert [row.pk for row in reads.list(("in",), build, ids)] == expected, ids
    # Lists of two and of three ids: a compiled read each.
    assert set(reads.prepared) == {(("in",), 1, 2), (("in",), 1, 3)}
    del compilations[:]
    reads.list(("in",), build, [pks[2], pks[0]])
    assert compilations == []


def test_each_number_of_values_is_a_read_of_its_own(demo):
    reads = PreparedReads()

    def named(*names):
        return User.objects.filter(username__in=names).order_by("username").values_list("username")

    for names in [("ruili_health",), ("ruili_health", "ruili_finance"), ("dehong_finance",)]:
        assert reads.list(("named",), named, *names) == list(named(*names)), names


def test_a_read_whose_sql_depends_on_its_value_is_refused(demo):
    reads = PreparedReads()

    def branches(year):
        tables = TargetTable.objects.all()
        return tables.filter(year=year) if year % 2 else tables.exclude(year=year)

    with pytest.raises(ValueError, match="must not depend"):
        reads.list(("branches",), branches, 2020)
    # Another parameter for this value alone.
    with pytest.raises(ValueError, match="must not depend"):
        reads.list(("special",), lambda pk: TargetTable.objects.filter(pk=99 if pk == 5 else pk), 5)
    # A parameter worked out from a value, which the other value happens to equal.
    with pytest.raises(ValueError, match="must not depend"):
        reads.list(
            ("derived",),
            lambda a, b: TargetTable.objects.filter(pk=a, organisation_id=a + 1, year=b),
            1,
            2,
        )


def test_a_read_whose_parameters_move_between_values_is_refused(demo):
    """A builder that reads something besides its values (here, how often it was called)
    may put another value where the first probe found one: refused, not guessed."""
    calls = []

    def build(a, b):
        calls.append(1)
        if len(calls) == 3:
            a, b = b, a
        return TargetTable.objects.filter(pk=a, organisation_id=b)

    with pytest.raises(ValueError, match="each be a parameter"):
        PreparedReads().list(("moving",), build, 5, 5)


def test_a_value_that_is_no_parameter_is_refused(demo):
    reads = PreparedReads()
    # A slice is written into the SQL (LIMIT 3), not passed as a parameter.
    with pytest.raises(ValueError, match="must not depend"):
        reads.list(("sliced",), lambda n: TargetTable.objects.order_by("pk")[:n], 3)
    with pytest.raises(ValueError, match="each be a parameter"):
        reads.list(("unused",), lambda pk: TargetTable.objects.all(), 3)


@pytest.mark.parametrize("value", [None, True, 1.5, ["1", 2], (1, None)])
def test_only_ints_and_text_are_values(value):
    with pytest.raises(TypeError):
        PreparedReads().list(("typed",), lambda v: TargetTable.objects.filter(pk=v), value)


def test_an_empty_read_is_run_as_it_is(demo):
    reads = PreparedReads()
    assert reads.list(("none",), lambda pk: TargetTable.objects.none().filter(pk=pk), 1) == []
    assert (("none",), 1) not in reads.prepared
    # An id beyond the column's range: no rows, and the key prepares at its next call.
    table = TargetTable.objects.first()

    def by_id(pk):
        return TargetTable.objects.filter(pk=pk)

    assert reads.list(("big",), by_id, 2**70) == []
    assert (("big",), 1) not in reads.prepared
    assert [t.pk for t in reads.list(("big",), by_id, table.pk)] == [table.pk]
    assert (("big",), 1) in reads.prepared
    # Once prepared, such an id is still no parameter: no database takes it.
    assert reads.list(("big",), by_id, 2**70) == []
    assert reads.list(("big",), by_id, -(2**70)) == []


def test_each_thread_compiles_its_own(demo):
    reads = PreparedReads()
    table = TargetTable.objects.first()
    reads.list(("t",), lambda pk: TargetTable.objects.filter(pk=pk), table.pk)
    seen = {}

    def other():
        seen["prepared"] = dict(reads.prepared)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["prepared"] == {}
    assert (("t",), 1) in reads.prepared


def test_prepared_reads_are_bounded(demo):
    reads = PreparedReads()
    table = TargetTable.objects.first()
    for n in range(PreparedReads.LIMIT + 1):
        reads.list((n,), lambda pk: TargetTable.objects.filter(pk=pk), table.pk)
    assert len(reads.prepared) <= PreparedReads.LIMIT


def test_one_thread_reads_tables_through_each_users_own_scope(demo):
    """The table and editable-table reads are prepared per scope key: users of other
    bureaus in one thread, one after the other, each reach only their own tables."""
    users = User.objects.filter(
        username__in=["ruili_health", "shifeng_health", "ruili_finance", "dehong_finance"]
    )
    tables = list(TargetTable.objects.order_by("pk"))
    reached = set()
    for user in users:
        visible = set(target_tables_visible_to(user).values_list("pk", flat=True))
        assert len(visible) < len(tables), user
        reached |= visible
        for table in tables:
            if table.pk in visible:
                assert target_table_visible(user=user, table_id=table.pk).pk == table.pk
            else:
                with pytest.raises(Http404):
                    target_table_visible(user=user, table_id=table.pk)
            if table_is_editable_by(table, user):
                assert target_table_editable(user=user, table_id=table.pk).pk == table.pk
            else:
                with pytest.raises(Http404):
                    target_table_editable(user=user, table_id=table.pk)
    assert len(reached) > 3


def test_a_read_runs_on_the_threads_current_connection():
    """Django may give the thread a new connection object; the read runs on that one, not
    on the one its compiler was made with."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder
    from django.test.utils import CaptureQueriesContext

    def applied(app):
        return MigrationRecorder.Migration.objects.filter(app=app).values_list("name")

    reads = PreparedReads()
    expected = list(applied("perfgoals"))
    assert reads.list(("applied",), applied, "perfgoals") == expected
    old = connections["default"]
    new = connections.create_connection("default")
    connections["default"] = new
    try:
        with CaptureQueriesContext(new) as queries:
            assert reads.list(("applied",), applied, "perfgoals") == expected
        assert len(queries) == 1
    finally:
        connections["default"] = old
        new.close()
