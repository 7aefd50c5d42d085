import django_filters

from allocations.models import FundNotice
from perfgoals.models import Organisation


class NoticeFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label="年度")
    issuer = django_filters.ModelChoiceFilter(
        label="发文单位",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.FINANCE),
        empty_label="全部",
    )
    recipient = django_filters.ModelChoiceFilter(
        label="主送机关",
        field_name="recipient_links__organisation",
        queryset=Organisation.objects.all(),
        empty_label="全部",
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=FundNotice.Status.choices, empty_label="全部"
    )

    class Meta:
        model = FundNotice
        fields = ["year", "issuer", "recipient", "status"]
