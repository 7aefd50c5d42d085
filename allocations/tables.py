from dataclasses import dataclass

import django_tables2 as tables

from allocations.models import FundNotice
from allocations.selectors import notice_recipient_names
from perfgoals.display import amount_with_unit


class NoticeTable(tables.Table):
    """The list's columns, headers and sorting; django-tables2 reads the sort and page from
    the request. The cells are `NoticeRow`s, printed by allocations/_notice_table.html."""

    doc_number = tables.Column(
        verbose_name="发文字号",
        accessor="doc_serial",
        order_by=("doc_year", "issuer_code", "doc_serial"),
    )
    title = tables.Column(verbose_name="标题")
    issuer = tables.Column(verbose_name="发文单位", accessor="issuer_name")
    recipients = tables.Column(verbose_name="主送机关", accessor="pk", orderable=False)
    amount = tables.Column(verbose_name="金额", attrs={"td": {"class": "num"}})
    year = tables.Column(verbose_name="年度")
    status = tables.Column(verbose_name="状态")

    class Meta:
        model = FundNotice
        fields = ["doc_number", "title", "issuer", "recipients", "amount", "year", "status"]
        attrs = {"class": "grid"}
        template_name = "allocations/_notice_table.html"
        empty_text = "没有符合条件的通知。"
        per_page = 25


@dataclass(frozen=True)
class NoticeRow:
    """One row of the list as printed; empty text prints as —. Worked out here once per
    row: django-tables2's own cells (an accessor, a render method called by signature and a
    link per cell) were most of the page's time."""

    url: str
    doc_number: str  # empty for a draft, which has no number yet
    title: str
    issuer_name: str
    recipients: str
    amount: str  # empty when the notice states no amount
    year: int
    status: str
    status_label: str


# What notice_row reads of a notice (doc_number and status_label included).
NOTICE_ROW_FIELDS = (
    *FundNotice.LABEL_FIELDS,
    "issuer_name",
    "amount",
    "amount_unit",
    "year",
    "status",
    "is_external",
)


def notice_row(notice: FundNotice, recipients: list[str]) -> NoticeRow:
    return NoticeRow(
        url=notice.get_absolute_url(),
        doc_number=notice.doc_number,
        title=notice.title,
        issuer_name=notice.issuer_name,
        recipients="、".join(recipients),
        amount="" if notice.amount is None else amount_with_unit(notice.amount, notice.amount_unit),
        year=notice.year,
        status=notice.status,
        status_label=notice.status_label,
    )


def page_rows(table: NoticeTable) -> list[NoticeRow]:
    """The rows of the page the table was configured for: two queries (the notices, their
    recipients) whatever the page size."""
    notices = [row.record for row in table.paginated_rows]
    names = notice_recipient_names(notices)
    return [notice_row(notice, names.get(notice.pk, [])) for notice in notices]
