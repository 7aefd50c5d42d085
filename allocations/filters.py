import re

import django_filters
from django.db.models import Exists, OuterRef, Q

from allocations.models import FundNotice
from perfgoals.models import Organisation


class NoticeFilter(django_filters.FilterSet):
    """Year, issuer, recipient and status over the notices the user may see; the issuer and
    recipient choices are only the organisations that occur in those notices."""

    q = django_filters.CharFilter(label="标题或文号", method="filter_text", max_length=100)
    year = django_filters.NumberFilter(label="年度")
    issuer = django_filters.ModelChoiceFilter(
        label="发文单位",
        queryset=Organisation.objects.none(),
        empty_label="全部",
        method="filter_issuer",
    )
    recipient = django_filters.ModelChoiceFilter(
        label="主送机关",
        field_name="recipient_links__organisation",
        queryset=Organisation.objects.none(),
        empty_label="全部",
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=FundNotice.Status.choices, empty_label="全部"
    )

    class Meta:
        model = FundNotice
        fields = ["q", "year", "issuer", "recipient", "status"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        visible = self.queryset.order_by().values("pk")
        # External notices name their issuer only in print (德宏州财政局 on 德财社〔2020〕162号).
        named_on_external = FundNotice.objects.filter(
            pk__in=visible, issuer__isnull=True, issuer_name__contains=OuterRef("name")
        )
        self.filters["issuer"].queryset = (
            Organisation.objects.filter(kind=Organisation.Kind.FINANCE)
            .filter(Q(issued_notices__in=visible) | Exists(named_on_external))
            .distinct()
            .order_by("name")
        )
        self.filters["recipient"].queryset = (
            Organisation.objects.filter(notice_links__notice__in=visible)
            .distinct()
            .order_by("name")
        )

    def filter_issuer(self, queryset, name, value):
        """The issuing bureau, or an external notice whose printed issuer line names it.
        (django-filter calls this only with a chosen organisation.)"""
        return queryset.filter(
            Q(issuer=value) | Q(issuer__isnull=True, issuer_name__contains=value.name)
        )

    def filter_text(self, queryset, name, value):
        """Words of the title (the fund's name), or a 发文字号 such as 瑞财社〔2020〕0296号,
        瑞财社 2020 296 or just 0296."""
        value = value.strip()
        if not value:
            return queryset
        match = Q(title__icontains=value) | Q(issuer_name__icontains=value)
        numbers = [int(n) for n in re.findall(r"\d+", value)]
        code = re.sub(r"[\d〔〕\[\]【】()（）号\s]", "", value)
        if numbers:
            number = Q(doc_serial=numbers[-1])
            if len(numbers) > 1:
                number &= Q(doc_year=numbers[0])
            if code:
                number &= Q(issuer_code=code)
            match |= number
        elif code:
            match |= Q(issuer_code=code)
        return queryset.filter(match)
