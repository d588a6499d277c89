import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import FamilyMemberFactory, OrganizationFactory, make_id_number
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry
from unionhub.enterprises.services import enterprise_update
from unionhub.orgs.models import Organization
from unionhub.workers import services
from unionhub.workers.models import Consent, Worker


@pytest.fixture
def new_worker(tree, officer):
    return services.worker_create(
        actor=officer,
        name="陈晓燕",
        id_number=make_id_number(datetime.date(1990, 3, 15), gender="female"),
        mobile="+86 139 0510 8899",
        enterprise=tree.enterprise_a,
    )


def test_registering_takes_gender_and_birth_date_from_the_id_number(tree, new_worker):
    worker = Worker.objects.get(pk=new_worker.pk)
    assert worker.gender == "female"
    assert worker.birth_date == datetime.date(1990, 3, 15)
    assert worker.mobile == "13905108899"
    assert worker.mobile_tail == "8899"
    assert worker.id_tail == worker.id_number[-4:]
    assert worker.organization == tree.union_a  # the enterprise's union
    assert worker.district == tree.district
    assert worker.name_pinyin == "chenxiaoyan cxy"


def test_registering_is_audited_with_numbers_masked(new_worker):
    entry = AuditEntry.objects.get(action="workers.worker.created")
    assert entry.data["id_number"] == new_worker.id_number_masked
    assert entry.data["mobile"] == "139****8899"
    assert new_worker.id_number not in str(entry.data)


def test_the_same_person_cannot_be_registered_twice(tree, officer, new_worker):
    with pytest.raises(DomainError) as error:
        services.worker_create(
            actor=officer, name="陈晓燕", id_number=new_worker.id_number.lower(),
            mobile="13905108800", enterprise=tree.enterprise_a,
        )  # fmt: skip
    assert error.value.field == "id_number"
    assert error.value.code == "duplicate_id_number"
    # In the officer's own scope the record is named, to be chosen instead.
    assert "已登记：陈晓燕（无锡伟达五金有限公司工会）" in str(error.value.message)
    assert Worker.objects.count() == 1


def test_a_duplicate_id_beyond_the_user_s_scope_names_nobody(tree, outsider, new_worker):
    with pytest.raises(DomainError) as error:
        services.worker_create(
            actor=outsider, name="陈晓燕", id_number=new_worker.id_number,
            mobile="13905108801", enterprise=tree.enterprise_b,
        )  # fmt: skip
    assert error.value.code == "duplicate_id_number"
    assert "陈晓燕" not in str(error.value.message) and "区总工会" in str(error.value.message)


def test_a_mobile_number_is_unique_within_the_district_only(tree, officer, new_worker):
    with pytest.raises(DomainError) as error:
        services.worker_create(
            actor=officer, name="张伟", id_number=make_id_number(),
            mobile=new_worker.mobile, enterprise=tree.enterprise_a,
        )  # fmt: skip
    assert error.value.field == "mobile"
    other_district = OrganizationFactory(name="滨湖区总工会")
    street = OrganizationFactory(parent=other_district, kind=Organization.Kind.STREET)
    station = OrganizationFactory(parent=street, kind=Organization.Kind.STATION)
    from unionhub.core.access import access_for
    from unionhub.orgs.models import Membership

    Membership.objects.create(user=officer, organization=station, role="station_staff")
    access_for(officer, refresh=True)
    services.worker_create(
        actor=officer, name="张伟", id_number=make_id_number(),
        mobile=new_worker.mobile, organization=station,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "320206199003151234"),  # wrong check digit
        ("id_number", "123"),
        ("mobile", "12345"),
        ("name", "   "),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_saved(tree, officer, field, value):
    values = {"name": "周杰", "id_number": make_id_number(), "mobile": "13905101234"}
    values[field] = value
    with pytest.raises(DomainError) as error:
        services.worker_create(actor=officer, enterprise=tree.enterprise_a, **values)
    assert error.value.field == field
    assert str(error.value.message)
    assert not Worker.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_worker_without_an_enterprise_needs_a_registering_station(tree, officer):
    with pytest.raises(DomainError) as error:
        services.worker_create(
            actor=officer, name="骑手", id_number=make_id_number(), mobile="13905101234"
        )
    assert error.value.field == "organization"
    rider = services.worker_create(
        actor=officer, name="骑手", id_number=make_id_number(), mobile="13905101234",
        organization=tree.station_a,
    )  # fmt: skip
    assert rider.organization == tree.station_a


def test_only_staff_who_may_manage_workers_there_can_register(tree, viewer, outsider):
    for actor in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.worker_create(
                actor=actor, name="X", id_number=make_id_number(), mobile="13905101234",
                enterprise=tree.enterprise_a,
            )  # fmt: skip


def test_an_update_keeps_old_and_new_values_masked(tree, officer, new_worker):
    new_id = make_id_number(datetime.date(1991, 4, 4), gender="male")
    services.worker_update(
        actor=officer,
        worker=new_worker,
        id_number=new_id,
        mobile="13905107777",
        address="舜何社区3幢",
    )
    entry = AuditEntry.objects.get(action="workers.worker.updated")
    changes = entry.data["changes"]
    assert changes["mobile"] == ["139****8899", "139****7777"]
    assert changes["id_number"][1] == f"{new_id[:6]}********{new_id[-4:]}"
    assert changes["address"] == ["", "舜何社区3幢"]
    new_worker.refresh_from_db()
    assert new_worker.gender == "male"
    assert new_worker.birth_date == datetime.date(1991, 4, 4)


def test_an_update_without_changes_writes_nothing(officer, new_worker):
    services.worker_update(actor=officer, worker=new_worker, name="陈晓燕")
    assert not AuditEntry.objects.filter(action="workers.worker.updated").exists()


def test_moving_a_worker_out_of_ones_scope_is_refused(tree, officer, new_worker):
    with pytest.raises(PermissionDenied):
        services.worker_update(actor=officer, worker=new_worker, enterprise=tree.enterprise_b)
    new_worker.refresh_from_db()
    assert new_worker.organization == tree.union_a


def test_revealing_the_full_number_needs_a_reason_and_is_logged(tree, officer, new_worker):
    with pytest.raises(DomainError) as error:
        services.worker_reveal_id_number(actor=officer, worker=new_worker, reason=" ")
    assert error.value.field == "reason"
    assert not AuditEntry.objects.filter(action="workers.worker.id_revealed").exists()
    number = services.worker_reveal_id_number(
        actor=officer, worker=new_worker, reason="办理困难帮扶核对身份"
    )
    assert number == new_worker.id_number
    entry = AuditEntry.objects.get(action="workers.worker.id_revealed")
    assert entry.actor == officer
    assert entry.data == {"reason": "办理困难帮扶核对身份"}


def test_a_read_only_role_cannot_reveal(viewer, new_worker):
    with pytest.raises(PermissionDenied):
        services.worker_reveal_id_number(actor=viewer, worker=new_worker, reason="想看看而已")


def test_enabling_sign_in_creates_an_account_on_the_mobile_number(officer, new_worker):
    user = services.worker_enable_login(actor=officer, worker=new_worker, password="Qianqiao#88")
    assert user.mobile == new_worker.mobile
    assert user.check_password("Qianqiao#88")
    assert new_worker.mobile not in user.username
    with pytest.raises(DomainError):
        services.worker_enable_login(actor=officer, worker=new_worker, password="Qianqiao#88")


def test_a_weak_initial_password_is_refused(officer, new_worker):
    with pytest.raises(DomainError) as error:
        services.worker_enable_login(actor=officer, worker=new_worker, password="12345678")
    assert error.value.field == "password"
    new_worker.refresh_from_db()
    assert new_worker.user is None


def test_family_members_are_added_changed_and_removed_with_audit(officer, new_worker):
    child = services.family_member_add(
        actor=officer, worker=new_worker, name="陈子涵", relation="child",
        birth_date=datetime.date(2016, 9, 1), school="惠山区钱桥实验小学",
    )  # fmt: skip
    services.family_member_update(actor=officer, member=child, school="无锡市钱桥中学")
    services.family_member_remove(actor=officer, member=child)
    actions = list(
        AuditEntry.objects.filter(action__startswith="workers.family")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["workers.family.added", "workers.family.updated", "workers.family.removed"]
    assert not new_worker.family.exists()


def test_a_family_member_born_in_the_future_is_refused(officer, new_worker):
    with pytest.raises(DomainError) as error:
        services.family_member_add(
            actor=officer, worker=new_worker, name="X", relation="child",
            birth_date=datetime.date.today() + datetime.timedelta(days=3),
        )  # fmt: skip
    assert error.value.field == "birth_date"


def test_outsiders_cannot_touch_a_family(outsider, new_worker):
    member = FamilyMemberFactory(worker=new_worker)
    with pytest.raises(PermissionDenied):
        services.family_member_remove(actor=outsider, member=member)


def test_a_consent_is_recorded_once_and_withdrawn_not_deleted(officer, new_worker):
    first = services.consent_record(actor=officer, worker=new_worker, purpose="publicity")
    again = services.consent_record(actor=officer, worker=new_worker, purpose="publicity")
    assert first == again
    services.consent_withdraw(actor=officer, consent=first)
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    renewed = services.consent_record(actor=officer, worker=new_worker, purpose="publicity")
    assert renewed != first
    assert Consent.objects.filter(worker=new_worker).count() == 2


def test_workers_follow_their_enterprise_to_a_new_station(tree, district_admin):
    from tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(street=tree.street_a, station=tree.station_a)
    worker = services.worker_create(
        actor=district_admin, name="吴勇", id_number=make_id_number(), mobile="13905106666",
        enterprise=enterprise,
    )  # fmt: skip
    assert worker.organization == tree.station_a
    enterprise_update(
        actor=district_admin, enterprise=enterprise, street=tree.street_b, station=tree.station_b
    )
    worker.refresh_from_db()
    assert worker.organization == tree.station_b
    assert AuditEntry.objects.filter(action="workers.worker.moved_with_enterprise").exists()


def test_moving_a_worker_to_another_district_rechecks_the_mobile_there(tree, district_admin):
    other = OrganizationFactory(name="滨湖区总工会")
    street = OrganizationFactory(parent=other, kind=Organization.Kind.STREET)
    station = OrganizationFactory(parent=street, kind=Organization.Kind.STATION)
    from unionhub.core.access import access_for
    from unionhub.orgs.models import Membership

    Membership.objects.create(user=district_admin, organization=other, role="district_admin")
    access_for(district_admin, refresh=True)
    mover = services.worker_create(
        actor=district_admin, name="甲", id_number=make_id_number(), mobile="13905101111",
        organization=tree.station_a,
    )  # fmt: skip
    services.worker_create(
        actor=district_admin, name="乙", id_number=make_id_number(), mobile="13905101111",
        organization=station,
    )  # fmt: skip
    with pytest.raises(DomainError) as error:
        services.worker_update(actor=district_admin, worker=mover, organization=station)
    assert error.value.field == "mobile"
    mover.refresh_from_db()
    assert mover.district == tree.district


def test_a_new_mobile_number_moves_the_sign_in_with_it(tree, officer, worker):
    services.worker_update(actor=officer, worker=worker, mobile="13905109999")
    worker.user.refresh_from_db()
    assert worker.user.mobile == "13905109999"


def test_a_made_up_hardship_level_is_refused(tree, officer, worker):
    with pytest.raises(DomainError) as error:
        services.worker_update(actor=officer, worker=worker, hardship_level="bogus")
    assert error.value.field == "hardship_level"


def test_without_an_enterprise_a_worker_cannot_be_put_in_an_enterprises_union(tree, officer):
    with pytest.raises(DomainError) as error:
        services.worker_create(
            actor=officer, name="丙", id_number=make_id_number(), mobile="13905102323",
            organization=tree.union_a,
        )  # fmt: skip
    assert error.value.field == "organization"


def test_moved_workers_get_the_new_district_and_their_own_history_line(tree, district_admin):
    from tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(street=tree.street_a, station=tree.station_a)
    worker = services.worker_create(
        actor=district_admin, name="丁", id_number=make_id_number(), mobile="13905103434",
        enterprise=enterprise,
    )  # fmt: skip
    enterprise_update(
        actor=district_admin, enterprise=enterprise, street=tree.street_b, station=tree.station_b
    )
    worker.refresh_from_db()
    assert worker.organization == tree.station_b
    assert worker.district == tree.district
    assert AuditEntry.objects.filter(
        action="workers.worker.moved_with_enterprise", target_id=str(worker.pk)
    ).exists()


def test_a_surname_is_read_as_a_surname_in_search_and_order(tree, officer, login):
    import importlib

    from django.apps import apps
    from django.urls import reverse

    from tests.factories import WorkerFactory
    from unionhub.core.pinyin import pinyin_key
    from unionhub.workers.services import worker_update

    assert pinyin_key("曾红", person=True) == "zenghong zh"
    assert pinyin_key("单于明", person=True) == "chanyuming cym"
    assert pinyin_key("曾经", person=False) == "cengjing cj"  # not a name: the everyday reading
    assert pinyin_key("盖丽", person=True) == "geli gl gaili"  # both readings of 盖 find her
    zeng = WorkerFactory(name="曾红", organization=tree.union_a)
    cao = WorkerFactory(name="曹丽", organization=tree.union_a)
    cheng = WorkerFactory(name="程伟", organization=tree.union_a)
    client = login(officer)
    found = client.get(reverse("workers:worker-list"), {"q": "zenghong"}).context["page"]
    assert [w.pk for w in found] == [zeng.pk]
    listed = [w.pk for w in client.get(reverse("workers:worker-list")).context["page"]]
    assert listed.index(cao.pk) < listed.index(cheng.pk) < listed.index(zeng.pk)
    worker_update(actor=officer, worker=cao, name="解丽")
    assert Worker.objects.get(pk=cao.pk).name_pinyin == "xieli xl"
    # Records written with the everyday reading are read again by the migration.
    Worker.objects.filter(pk=zeng.pk).update(name_pinyin="cenghong ch")
    migration = importlib.import_module("unionhub.workers.migrations.0003_surname_readings")
    migration.reread_surnames(apps, None)
    assert Worker.objects.get(pk=zeng.pk).name_pinyin == "zenghong zh"
