import re

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelChoiceField

from allocations.models import FundNotice
from perfgoals.models import Organisation
from perfgoals.paging import ListFilterSet


class _ReadChoices(ModelChoiceIterator):
    """The options from the organisations the page has read already (`NoticeList`): a
    select's options are otherwise a query of their own, as costly as the page's rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.field.read:
            yield self.choice(obj)

    def __len__(self):
        extra = [self.field.empty_label, self.field.null_label]
        return len(self.field.read) + sum(label is not None for label in extra)

    def __bool__(self):
        return len(self) > 0


class ReadChoiceField(ModelChoiceField):
    """A model choice over a list of objects already read: offering them and checking a
    submitted value cost no query."""

    iterator = _ReadChoices

    def __init__(self, *args, read=(), **kwargs) -> None:
        self.read = list(read)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or (self.null_label is not None and value == self.null_value):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        model = self.queryset.model
        try:
            if isinstance(value, model):
                value = value.pk
            # Read as the database lookup `queryset.get(pk=value)` would read it.
            pk = model._meta.pk.get_prep_value(value)
        except (ValueError, TypeError):
            pk = None
        for obj in self.read:
            if obj.pk == pk:
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ReadChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ReadChoiceField


class NoticeFilter(ListFilterSet):
    """Year, issuer, recipient and status over the notices the user may see; the issuer and
    recipient choices are only the organisations that occur in those notices."""

    q = django_filters.CharFilter(label="标题或文号", method="filter_text", max_length=100)
    year = django_filters.NumberFilter(label="年度")
    issuer = ReadChoiceFilter(
        label="发文单位",
        queryset=Organisation.objects.none(),
        empty_label="全部",
        method="filter_issuer",
    )
    recipient = ReadChoiceFilter(
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

    def __init__(self, *args, issuers=(), recipients=(), **kwargs) -> None:
        """`issuers` and `recipients`: the organisations each filter offers, as read by
        `notice_list` (issuers include those named on external notices' issuer line)."""
        super().__init__(*args, **kwargs)
        for name, offered in [("issuer", issuers), ("recipient", recipients)]:
            self.filters[name].queryset = Organisation.objects.filter(
                pk__in=[org.pk for org in offered]
            ).order_by("name")
            self.filters[name].extra["read"] = offered

    @property
    def narrows(self) -> bool:
        """Whether any filter applies: otherwise the rows are all the notices given."""
        return self.is_bound and any(
            value not in EMPTY_VALUES for value in self.form.cleaned_data.values()
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
