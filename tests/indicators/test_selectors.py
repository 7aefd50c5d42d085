"""Small reads of indicators.selectors."""

from indicators.models import PerformanceIndicator
from indicators.selectors import in_table_order


def test_rows_are_put_in_the_models_order_by_table_level_position_and_id():
    def row(pk, table_id, level, position):
        return PerformanceIndicator(pk=pk, table_id=table_id, level=level, position=position)

    rows = [row(1, 2, 1, 1), row(2, 1, 3, 1), row(3, 1, 1, 2), row(4, 1, 1, 1), row(5, 1, 1, 1)]
    assert [r.pk for r in in_table_order(rows)] == [4, 5, 3, 2, 1]
