"""factory-boy factories for tests that need a few objects rather than the whole demo."""

from decimal import Decimal

import factory

from allocations.models import FundNotice
from perfgoals.demo import DEMO_PASSWORD
from perfgoals.models import Organisation, Region, TargetTable, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"测试省{n}")
    level = Region.Level.PROVINCE
    parent = None


class CountyFactory(RegionFactory):
    name = factory.Sequence(lambda n: f"测试县{n}")
    level = Region.Level.COUNTY
    parent = factory.SubFactory(
        RegionFactory,
        name=factory.Sequence(lambda n: f"测试州{n}"),
        level=Region.Level.PREFECTURE,
        parent=factory.SubFactory(RegionFactory),
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试县卫生健康局{n}")
    kind = Organisation.Kind.HEALTH
    region = factory.SubFactory(CountyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = User.Role.BUREAU_STAFF
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TargetTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetTable

    layout = TargetTable.Layout.PROJECT
    organisation = factory.SubFactory(OrganisationFactory)
    year = 2020
    project_name = factory.Sequence(lambda n: f"测试项目{n}")
    amount_unit = "wan"
    amount_total = Decimal("3.88")
    amount_fiscal = Decimal("3.88")
    amount_other = Decimal("0")


class FundNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundNotice

    issuer = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.FINANCE)
    issuer_name = factory.LazyAttribute(lambda o: o.issuer.name)
    year = 2020
    title = factory.Sequence(lambda n: f"关于下达测试资金{n}的通知")
    amount = Decimal("3.88")
