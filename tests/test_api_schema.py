import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from tests.conftest import staff
from tests.factories import UserFactory, WorkerFactory
from tests.funds.conftest import make_fund
from unionhub.cases import services as case_services
from unionhub.cases.models import ServiceCategory
from unionhub.funds import services as fund_services
from unionhub.orgs.models import Membership

Role = Membership.Role


def test_the_openapi_schema_builds_without_warnings(db, tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an undocumented field…) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/workers/" in (tmp_path / "s.yml").read_text()


def test_the_docs_and_schema_need_a_sign_in(client, db):
    assert client.get(reverse("api-docs")).status_code in {401, 403}
    assert client.get(reverse("schema")).status_code in {401, 403}


def test_the_docs_page_serves_its_assets_from_the_app(client, officer, login):
    html = login(officer).get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "https://" not in html


# ---- what the schema promises is what the API answers ----------------------------------------


def _as_json_schema(node):
    """OpenAPI 3.0 to JSON Schema: ``nullable`` becomes a ``null`` alternative, and an object
    that lists its properties lists them all (a field the schema does not name is a mismatch)."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        key: (
            {name: _as_json_schema(s) for name, s in value.items()}
            if key == "properties"
            else _as_json_schema(value)
        )
        for key, value in node.items()
    }
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def assert_conforms(schema, template: str, method: str, response) -> None:
    """``response`` is one of the answers the schema declares for the operation, in its shape."""
    operation = schema["paths"][template][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {template} answered {status}"
    body = operation["responses"][status]["content"]["application/json"]["schema"]
    root = {**_as_json_schema(body), "components": _as_json_schema(schema["components"])}
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(root).iter_errors(response.json())
    ]
    assert errors == [], f"{method.upper()} {template} {status}: {errors[:5]}"


@pytest.fixture
def world(tree, officer, worker):
    chair = staff(tree.union_a, Role.ENTERPRISE_CHAIR, username="chair", full_name="尤国平")
    approver = staff(tree.station_a, Role.FUND_APPROVER, username="approver1")
    fund = make_fund(tree.union_a, officers=[chair])
    donation = fund_services.donation_record(
        actor=chair, fund=fund, donor_kind="anonymous", amount="10000.00", channel="cash",
        received_on=timezone.localdate(), idempotency_key="gift",
    )  # fmt: skip
    case = case_services.case_submit(
        actor=officer, worker=worker,
        category=ServiceCategory.objects.get(code="hardship_relief"), channel="phone",
        summary="配偶患病，生活困难", description="妻子患病长期透析，申请困难帮扶。",
        reporter=case_services.Reporter(name="周国强", relation="工友", phone="13961708852"),
    )  # fmt: skip
    # A line the system wrote (no actor): the request went past its response deadline.
    case_services.escalate_breached(now=case.sla_due_at + datetime.timedelta(minutes=1))
    # Money is asked for a request someone has taken up: another one, accepted.
    helped = case_services.case_submit(
        actor=officer, worker=worker,
        category=ServiceCategory.objects.get(code="medical_aid"), channel="phone",
        summary="住院治疗，医药费困难", description="本人住院治疗，自付医药费较多。",
    )  # fmt: skip
    helped = case_services.case_accept(actor=officer, case=helped)
    paid = fund_services.disbursement_request(
        actor=chair, fund=fund, worker=worker, case=helped, amount=Decimal("300.00"),
        method="cash", reason="生活困难",
    )  # fmt: skip
    fund_services.disbursement_approve(actor=approver, disbursement=paid)
    fund_services.disbursement_pay(
        actor=chair, disbursement=paid, payment_reference="SJ-1", idempotency_key="pay"
    )
    # A worker of no enterprise, with a sign-in.
    loner = WorkerFactory(name="孙小红", organization=tree.union_a, enterprise=None)
    loner.user = UserFactory(username="w-sun", full_name="孙小红", mobile=loner.mobile)
    loner.save(update_fields=["user"])
    return {
        "chair": chair, "approver": approver, "fund": fund, "donation": donation, "case": case,
        "paid": paid, "loner": loner,
    }  # fmt: skip


def test_every_answer_is_in_the_shape_the_schema_declares(
    schema, tree, officer, viewer, worker, outsider, password, world, client, login
):
    case, fund, paid, chair = world["case"], world["fund"], world["paid"], world["chair"]
    pk, case_id, paid_id = fund.pk, case.public_id, paid.public_id

    def check(user, method, template, url, data=None, **headers):
        c = login(user) if user is not None else client
        if method == "get":
            response = c.get(url, data or {}, **headers)
        else:
            response = c.post(url, data or {}, content_type="application/json", **headers)
        assert_conforms(schema, template, method, response)
        return response

    worker.user.set_password(password)
    worker.user.save()
    token = check(
        None, "post", "/api/v1/auth/token/", "/api/v1/auth/token/",
        {"username": worker.user.username, "password": password},
    )  # fmt: skip
    assert set(token.json()) == {"token"}
    for user in (officer, worker.user, world["loner"].user):
        check(user, "get", "/api/v1/me/", "/api/v1/me/")
    for template, url in [
        ("/api/v1/organizations/", "/api/v1/organizations/"),
        ("/api/v1/organizations/{id}/", f"/api/v1/organizations/{tree.union_a.pk}/"),
        ("/api/v1/workers/", "/api/v1/workers/"),
        ("/api/v1/workers/{id}/", f"/api/v1/workers/{world['loner'].public_id}/"),
        ("/api/v1/enterprises/", "/api/v1/enterprises/"),
        ("/api/v1/enterprises/{id}/", f"/api/v1/enterprises/{tree.enterprise_a.pk}/"),
        ("/api/v1/service-categories/", "/api/v1/service-categories/"),
        ("/api/v1/cases/", "/api/v1/cases/"),
        ("/api/v1/cases/{id}/", f"/api/v1/cases/{case_id}/"),
        ("/api/v1/cases/referred-on/", "/api/v1/cases/referred-on/"),
        ("/api/v1/funds/", "/api/v1/funds/"),
        ("/api/v1/funds/{id}/", f"/api/v1/funds/{pk}/"),
        ("/api/v1/funds/{id}/ledger/", f"/api/v1/funds/{pk}/ledger/"),
        ("/api/v1/donations/", "/api/v1/donations/"),
        ("/api/v1/donations/{public_id}/", f"/api/v1/donations/{world['donation'].public_id}/"),
        ("/api/v1/disbursements/", "/api/v1/disbursements/"),
        ("/api/v1/disbursements/{id}/", f"/api/v1/disbursements/{paid_id}/"),
    ]:
        check(chair, "get", template, url)
    from unionhub.notifications.services import notify

    notify(recipients=[chair], kind="case_update", title="诉求已受理。", url="/cases/")
    inbox = "/api/v1/notifications/"
    mine = check(chair, "get", inbox, inbox).json()["results"][0]["id"]
    check(chair, "get", inbox + "{id}/", f"{inbox}{mine}/")
    check(chair, "post", inbox + "{id}/read/", f"{inbox}{mine}/read/")
    check(chair, "post", inbox + "read-all/", inbox + "read-all/")
    check(chair, "get", inbox, inbox, {"unread": "maybe"})  # 400
    check(outsider, "get", inbox + "{id}/", f"{inbox}{mine}/")  # 404
    detail = "/api/v1/cases/{id}/"
    assert check(viewer, "get", detail, f"/api/v1/cases/{case_id}/").json()["assignee_name"] is None
    own = check(worker.user, "get", detail, f"/api/v1/cases/{case_id}/").json()
    assert "reporter_phone" not in own and own["events"]
    events = check(officer, "get", detail, f"/api/v1/cases/{case_id}/").json()["events"]
    assert any(event["actor"] is None for event in events)

    # Writes: created, replayed, refused in each way the schema names.
    opened = {"worker": str(worker.public_id), "category": "legal_aid",
              "summary": "被拖欠工资", "description": "老板拖欠两个月工资。"}  # fmt: skip
    for status in (201, 200, 409):
        body = opened if status != 409 else {**opened, "summary": "别的事"}
        answer = check(officer, "post", "/api/v1/cases/", "/api/v1/cases/", body,
                       HTTP_IDEMPOTENCY_KEY="open-1")  # fmt: skip
        assert answer.status_code == status
    check(officer, "post", "/api/v1/cases/", "/api/v1/cases/", {"summary": ""})  # 400 by field
    check(officer, "post", "/api/v1/cases/{id}/resolve/", f"/api/v1/cases/{case_id}/resolve/",
          {"resolution": "x"})  # fmt: skip  # 409: not yet accepted
    check(viewer, "post", "/api/v1/cases/{id}/accept/", f"/api/v1/cases/{case_id}/accept/")  # 403
    check(outsider, "get", detail, f"/api/v1/cases/{case_id}/")  # 404
    check(chair, "get", "/api/v1/disbursements/", "/api/v1/disbursements/", {"page": "0"})
    check(chair, "get", "/api/v1/disbursements/", "/api/v1/disbursements/", {"page": "9"})  # 404
    case_services.case_accept(actor=officer, case=case)
    refer = "/api/v1/cases/{id}/refer/"
    away = check(officer, "post", refer, f"/api/v1/cases/{case_id}/refer/",
                 {"organization": tree.station_b.pk, "reason": "属堰桥街道管辖"})  # fmt: skip
    assert away.json() == {"id": str(case_id), "status": "referred"}
    gift = {"fund": fund.code, "donor_kind": "person", "donor_name": "张三", "amount": "10.00",
            "channel": "cash", "received_on": timezone.localdate().isoformat()}  # fmt: skip
    for status in (201, 201, 409):
        body = gift if status == 201 else {**gift, "donor_name": "李四"}
        answer = check(chair, "post", "/api/v1/donations/", "/api/v1/donations/", body,
                       HTTP_IDEMPOTENCY_KEY="gift-1")  # fmt: skip
        assert answer.status_code == status


def test_the_schema_types_the_tiers_and_names_the_error_answers(schema):
    components = schema["components"]["schemas"]
    tiers = components["Fund"]["properties"]["approval_tiers"]
    assert tiers["type"] == "array"
    assert set(tiers["items"]["properties"]) == {"up_to", "approvers"}
    assert components["Error"]["required"] == ["code", "detail"]
    for path, method, statuses in [
        ("/api/v1/cases/{id}/accept/", "post", {"400", "403", "404", "409"}),
        ("/api/v1/donations/", "post", {"400", "403", "409"}),
        ("/api/v1/disbursements/{id}/pay/", "post", {"400", "403", "404", "409"}),
        ("/api/v1/cases/", "get", {"400", "403", "404"}),
        ("/api/v1/workers/{id}/", "get", {"400", "403", "404"}),
    ]:
        responses = schema["paths"][path][method]["responses"]
        assert statuses <= set(responses), path
        assert "409" in responses or method == "get"
        assert method == "post" or "409" not in responses
    refer = schema["paths"]["/api/v1/cases/{id}/refer/"]["post"]["responses"]["200"]
    assert len(refer["content"]["application/json"]["schema"]["oneOf"]) == 2
