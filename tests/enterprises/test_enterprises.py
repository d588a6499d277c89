import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from tests.factories import EnterpriseFactory, make_credit_code
from unionhub.core.errors import DomainError
from unionhub.core.models import AuditEntry
from unionhub.enterprises.models import Enterprise
from unionhub.enterprises.services import enterprise_create, enterprise_update
from unionhub.orgs.models import Organization


def values(tree, **overrides):
    data = {
        "name": "无锡舜柯精密五金有限公司",
        "credit_code": make_credit_code(),
        "size_class": "micro",
        "industry": "manufacturing",
        "employees": 23,
        "street": tree.street_a,
        "station": tree.station_a,
    }
    data.update(overrides)
    return data


def test_registering_with_a_union_puts_it_under_the_station(tree, officer):
    enterprise = enterprise_create(
        actor=officer, union_name="无锡舜柯精密五金有限公司工会", **values(tree)
    )
    assert enterprise.union.kind == Organization.Kind.ENTERPRISE_UNION
    assert Organization.objects.get_parent(enterprise.union) == tree.station_a
    assert enterprise.organization == enterprise.union
    assert enterprise.name_pinyin.startswith("wuxishunke")
    assert AuditEntry.objects.filter(action="enterprises.enterprise.created").exists()


def test_without_a_union_the_station_is_in_charge(tree, officer):
    enterprise = enterprise_create(actor=officer, **values(tree))
    assert enterprise.organization == tree.station_a


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credit_code", "91320206MA1234567"),  # 17 characters
        ("credit_code", "91320206MA12345678"),  # wrong check character
        ("credit_code", "91320206MA123456IO"),  # letters not in the alphabet
        ("name", "  "),
        ("size_class", "huge"),
        ("employees", -1),
    ],
)
def test_bad_input_is_refused_with_the_field(tree, officer, field, value):
    with pytest.raises(DomainError) as error:
        enterprise_create(actor=officer, **values(tree, **{field: value}))
    assert error.value.field == field
    assert not Enterprise.objects.filter(name="无锡舜柯精密五金有限公司").exists()


def test_a_station_from_another_street_is_refused(tree, district_admin):
    with pytest.raises(DomainError) as error:
        enterprise_create(actor=district_admin, **values(tree, station=tree.station_b))
    assert error.value.field == "station"


def test_a_credit_code_is_registered_once(tree, officer):
    code = make_credit_code()
    enterprise_create(actor=officer, **values(tree, credit_code=code))
    with pytest.raises(DomainError) as error:
        enterprise_create(actor=officer, **values(tree, credit_code=code.lower(), name="另一家"))
    assert error.value.code == "duplicate_credit_code"


def test_enterprise_chairs_and_outsiders_cannot_register_here(tree, outsider):
    with pytest.raises(PermissionDenied):
        enterprise_create(actor=outsider, **values(tree))


def test_updates_are_audited_with_old_and_new_values(tree, officer):
    enterprise = enterprise_create(actor=officer, **values(tree))
    enterprise_update(actor=officer, enterprise=enterprise, employees=31)
    entry = AuditEntry.objects.get(action="enterprises.enterprise.updated")
    assert entry.data["changes"] == {"employees": [23, 31]}


def test_pages_are_scoped_404_for_outsiders_403_for_viewers(tree, outsider, viewer, login):
    detail = reverse("enterprises:enterprise-detail", args=[tree.enterprise_a.pk])
    edit = reverse("enterprises:enterprise-edit", args=[tree.enterprise_a.pk])
    assert login(outsider).get(detail).status_code == 404
    assert login(outsider).get(edit).status_code == 404
    assert login(viewer).get(detail).status_code == 200
    assert login(viewer).get(edit).status_code == 403


def test_the_station_and_union_are_linked_only_for_those_who_may_open_them(tree, officer, login):
    from tests.conftest import staff
    from unionhub.orgs.models import Membership

    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, username="wd_chair2")
    detail = reverse("enterprises:enterprise-detail", args=[tree.enterprise_a.pk])
    station_link = f'href="{reverse("orgs:organization-detail", args=[tree.station_a.pk])}"'
    union_link = f'href="{reverse("orgs:organization-detail", args=[tree.union_a.pk])}"'
    as_chair = login(chair).get(detail).content.decode()
    assert tree.station_a.name in as_chair and station_link not in as_chair
    assert union_link in as_chair
    as_officer = login(officer).get(detail).content.decode()
    assert station_link in as_officer and union_link in as_officer


def test_the_list_is_scoped_and_searchable_by_pinyin(tree, officer, login):
    client = login(officer)
    names = [e.name for e in client.get(reverse("enterprises:enterprise-list")).context["page"]]
    assert names == [tree.enterprise_a.name]
    found = client.get(reverse("enterprises:enterprise-list"), {"q": "weida"}).context["page"]
    assert [e.name for e in found] == [tree.enterprise_a.name]


def test_the_form_shows_a_bad_credit_code_next_to_the_field(tree, officer, login):
    response = login(officer).post(
        reverse("enterprises:enterprise-create"),
        {
            "name": "无锡舜柯精密五金有限公司",
            "credit_code": "91320206MA12345678",
            "size_class": "micro",
            "industry": "manufacturing",
            "employees": 23,
            "street": tree.street_a.pk,
            "station": tree.station_a.pk,
        },
    )
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "This unified social credit code is not valid: check its characters."
        )
    assert expected in response.content.decode()
    assert not Enterprise.objects.filter(name="无锡舜柯精密五金有限公司").exists()


def test_the_api_is_scoped(tree, officer, outsider, login):
    body = login(officer).get(reverse("api:enterprise-list")).json()
    assert [row["name"] for row in body["results"]] == [tree.enterprise_a.name]
    url = reverse("api:enterprise-detail", args=[tree.enterprise_a.pk])
    assert login(outsider).get(url).status_code == 404


def test_has_union_filters_by_true_or_false_and_refuses_anything_else(tree, district_admin, login):
    EnterpriseFactory(name="无锡无工会小厂", street=tree.street_a, union=None)
    client = login(district_admin)
    url = reverse("api:enterprise-list")
    with_union = {row["name"] for row in client.get(url, {"has_union": "true"}).json()["results"]}
    without = {row["name"] for row in client.get(url, {"has_union": "false"}).json()["results"]}
    assert with_union == {tree.enterprise_a.name, tree.enterprise_b.name}
    assert without == {"无锡无工会小厂"}
    refused = client.get(url, {"has_union": "maybe"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400
    assert refused.json() == {"has_union": ["请填写 true 或 false。"]}


@pytest.mark.parametrize("url_name", ["enterprises:enterprise-list", "api:enterprise-list"])
def test_lists_make_the_same_number_of_queries_as_rows_grow(
    tree, district_admin, login, count_queries, url_name
):
    client = login(district_admin)
    url = reverse(url_name)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for _ in range(30):
        EnterpriseFactory(street=tree.street_b, station=tree.station_b)
    with count_queries() as large:
        client.get(url)
    # page: session, user, memberships, unread notifications, count, the page, its worker counts;
    # API: session, user, memberships, count, the page
    assert len(large) == len(small) <= (7 if url_name.startswith("enterprises") else 5)


def test_an_enterprise_cannot_move_away_from_its_union(tree, district_admin):
    from unionhub.orgs.services import organization_create

    station_a2 = organization_create(
        actor=district_admin, kind="station", name="钱桥第二站", parent=tree.street_a
    )
    with pytest.raises(DomainError) as error:
        enterprise_update(actor=district_admin, enterprise=tree.enterprise_a, station=station_a2)
    assert error.value.code == "union_elsewhere"
    tree.enterprise_a.refresh_from_db()
    assert tree.enterprise_a.station == tree.station_a
