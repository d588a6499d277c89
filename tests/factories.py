"""Factories for every model. Organisations are tree nodes, so they are added through treebeard."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import ric, uscc

from unionhub.core.pinyin import pinyin_key
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.models import Consent, FamilyMember, Worker, id_number_hash

PASSWORD = "correct-horse-42"

_id_counter = itertools.count(1)
_mobile_counter = itertools.count(1)
_code_counter = itertools.count(1)


def make_id_number(
    birth: datetime.date | None = None, gender: str = "male", region: str = "320206"
) -> str:
    n = next(_id_counter)
    birth = birth or datetime.date(1980, 1, 1) + datetime.timedelta(days=n * 37 % 9000)
    parity = (n % 5) * 2 + (1 if gender == "male" else 0)
    body = f"{region}{birth:%Y%m%d}{n % 100:02d}{parity}"
    return body + ric.calc_check_digit(body + "0")


def make_mobile() -> str:
    return f"139{next(_mobile_counter):08d}"


def make_credit_code() -> str:
    body = f"91320206{next(_code_counter):09d}"
    return body + uscc.calc_check_digit(body + "0")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.Factory):
    """``OrganizationFactory(parent=street, kind="station")``; without a parent, a district."""

    class Meta:
        model = Organization

    kind = Organization.Kind.DISTRICT
    name = factory.Sequence(lambda n: f"组织{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, parent=None, **kwargs):
        if parent is None:
            return Organization.objects.add_root(create_kwargs=kwargs)
        return Organization.objects.add_child(parent, create_kwargs=kwargs)

    @classmethod
    def _build(cls, model_class, parent=None, **kwargs):
        return model_class(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.STATION_STAFF


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"无锡测试{n}有限公司")
    name_pinyin = factory.LazyAttribute(lambda e: pinyin_key(e.name))
    credit_code = factory.LazyFunction(make_credit_code)
    size_class = Enterprise.SizeClass.SMALL
    industry = Enterprise.Industry.MANUFACTURING
    employees = 50
    street = factory.SubFactory(
        OrganizationFactory,
        kind=Organization.Kind.STREET,
        parent=factory.SubFactory(OrganizationFactory),
    )
    station = None
    union = None
    organization = factory.LazyAttribute(lambda e: e.union or e.station or e.street)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker
        exclude = ["raw_id"]

    raw_id = factory.LazyFunction(make_id_number)
    name = factory.Sequence(lambda n: f"职工{n}")
    name_pinyin = factory.LazyAttribute(lambda w: pinyin_key(w.name, person=True))
    gender = "male"
    birth_date = factory.LazyAttribute(
        lambda w: datetime.date(int(w.raw_id[6:10]), int(w.raw_id[10:12]), int(w.raw_id[12:14]))
    )
    id_number = factory.LazyAttribute(lambda w: w.raw_id)
    id_number_hash = factory.LazyAttribute(lambda w: id_number_hash(w.raw_id))
    id_tail = factory.LazyAttribute(lambda w: w.raw_id[-4:])
    mobile = factory.LazyFunction(make_mobile)
    mobile_tail = factory.LazyAttribute(lambda w: w.mobile[-4:])
    enterprise = None
    organization = factory.SubFactory(OrganizationFactory)
    district = factory.LazyAttribute(
        lambda w: Organization.objects.get(path=w.organization.path[: Organization.steplen])
    )


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    worker = factory.SubFactory(WorkerFactory)
    name = factory.Sequence(lambda n: f"家属{n}")
    relation = FamilyMember.Relation.CHILD
    birth_date = datetime.date(2015, 6, 1)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    worker = factory.SubFactory(WorkerFactory)
    purpose = Consent.Purpose.PERSONAL_DATA
    granted_at = factory.LazyFunction(lambda: datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
