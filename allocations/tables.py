import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from allocations.models import FundNotice
from perfgoals.display import money, unit_label


class NoticeTable(tables.Table):
    doc_number = tables.Column(
        verbose_name="发文字号",
        accessor="doc_serial",
        linkify=True,
        order_by=("doc_year", "issuer_code", "doc_serial"),
    )
    title = tables.Column(verbose_name="标题", linkify=True)
    issuer = tables.Column(verbose_name="发文单位", accessor="issuer_name")
    recipients = tables.Column(verbose_name="主送机关", accessor="pk", orderable=False)
    amount = tables.Column(verbose_name="金额", attrs={"td": {"class": "num"}})
    year = tables.Column(verbose_name="年度")
    status = tables.Column(verbose_name="状态")

    class Meta:
        model = FundNotice
        fields = ["doc_number", "title", "issuer", "recipients", "amount", "year", "status"]
        attrs = {"class": "grid"}
        template_name = "django_tables2/table.html"
        empty_text = "没有符合条件的通知。"
        per_page = 25

    def render_doc_number(self, record: FundNotice) -> str:
        return record.doc_number

    def render_recipients(self, record: FundNotice) -> str:
        # recipient_links are prefetched by the selector: no query per row.
        return format_html_join(
            "、", "{}", ((link.organisation.name,) for link in record.recipient_links.all())
        )

    def render_amount(self, record: FundNotice) -> str:
        return f"{money(record.amount)}{unit_label(record.amount_unit)}"

    def render_status(self, record: FundNotice) -> str:
        return format_html(
            '<span class="status status-{}">{}</span>', record.status, record.status_label
        )
