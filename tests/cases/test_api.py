import uuid

import pytest
from django.urls import reverse

from tests.conftest import staff
from unionhub.cases import services
from unionhub.cases.models import Case
from unionhub.orgs.models import Membership


def detail(case, action=None):
    if action:
        return reverse(f"api:case-{action}", args=[case.public_id])
    return reverse("api:case-detail", args=[case.public_id])


def test_categories_are_listed_for_any_signed_in_user(tree, worker, login):
    body = login(worker.user).get(reverse("api:service-category-list")).json()
    codes = {row["code"] for row in body["results"]}
    assert {"emergency_aid", "hardship_relief", "legal_aid"} <= codes


def test_the_list_is_scoped_bounded_and_filtered(tree, officer, outsider, case, login):
    body = login(officer).get(reverse("api:case-list")).json()
    assert body["count"] == 1
    assert body["count_is_capped"] is False
    assert body["results"][0]["reference"] == case.reference
    assert login(outsider).get(reverse("api:case-list")).json()["count"] == 0
    assert login(outsider).get(detail(case)).status_code == 404
    bad = login(officer).get(reverse("api:case-list"), {"organization": tree.station_b.pk})
    assert bad.status_code == 400
    # A program's filters are what it means: an unknown value is refused, not dropped.
    for params in ({"sort": "bad"}, {"status": "bad"}, {"sla": "later"}, {"since": "today"}):
        refused = login(officer).get(reverse("api:case-list"), params)
        assert refused.status_code == 400, params
        assert list(refused.json()) == list(params)
    assert login(officer).get(reverse("api:case-list"), {"sort": "due"}).status_code == 200


def test_staff_create_with_an_idempotency_key(tree, officer, worker, login):
    client = login(officer)
    payload = {
        "worker": str(worker.public_id),
        "category": "legal_aid",
        "channel": "phone",
        "summary": "被拖欠工资",
        "description": "老板拖欠两个月工资，共一万二千元。",
    }
    first = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="abc-123")
    again = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="abc-123")
    # A replay says so: 200 with the request as it stands, not 201.
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "加班费未付"},
        {"description": "老板拖欠三个月工资，共一万八千元。"},
        {"category": "housing"},
        {"worker": "other"},
        {"reporter_name": "周国强"},
        {"urgency": "urgent"},
    ],
)
def test_a_case_key_reused_for_another_request_answers_409(
    tree, officer, worker, workmate, login, change
):
    client = login(officer)
    payload = {
        "worker": str(worker.public_id),
        "category": "legal_aid",
        "summary": "被拖欠工资",
        "description": "老板拖欠两个月工资，共一万二千元。",
    }
    first = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201
    if change.get("worker") == "other":
        change = {"worker": str(workmate.public_id)}
    reused = client.post(
        reverse("api:case-list"),
        {**payload, **change},
        HTTP_IDEMPOTENCY_KEY="abc-123",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert "幂等" in reused.json()["detail"]
    assert Case.objects.count() == 1


def test_the_same_words_sent_again_under_a_new_key_are_the_request_already_opened(
    tree, officer, worker, login
):
    client = login(officer)
    payload = {
        "worker": str(worker.public_id),
        "category": "legal_aid",
        "summary": "被拖欠工资",
        "description": "老板拖欠两个月工资，共一万二千元。",
    }
    first = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="one")
    again = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="two")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_two_long_keys_differing_only_after_200_characters_open_two_requests(
    tree, officer, worker, login
):
    client = login(officer)
    payload = {
        "worker": str(worker.public_id),
        "category": "legal_aid",
        "summary": "被拖欠工资",
        "description": "老板拖欠两个月工资，共一万二千元。",
    }
    stem = "k" * 200
    first = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY=stem + "1")
    other = {**payload, "summary": "加班费未付", "description": "连续三个月加班没有加班费。"}
    second = client.post(reverse("api:case-list"), other, HTTP_IDEMPOTENCY_KEY=stem + "2")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert Case.objects.count() == 2


def test_bad_input_answers_400_with_the_field(tree, officer, worker, login):
    response = login(officer).post(
        reverse("api:case-list"),
        {
            "worker": str(worker.public_id),
            "category": "legal_aid",
            "summary": " ",
            "description": "x",
        },
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_worker_outside_the_scope_cannot_be_used(tree, outsider, worker, login):
    response = login(outsider).post(
        reverse("api:case-list"),
        {
            "worker": str(worker.public_id),
            "category": "legal_aid",
            "summary": "x",
            "description": "一些描述",
        },
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("action", "payload", "status"),
    [
        ("accept", {}, "accepted"),
        ("reject", {"reason": "不符合条件"}, "rejected"),
    ],
)
def test_transitions_are_post_actions(tree, officer, case, login, action, payload, status):
    response = login(officer).post(detail(case, action), payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == status


def test_the_full_path_through_the_api(tree, officer, worker, case, login):
    staff = login(officer)
    assert staff.post(detail(case, "accept")).status_code == 200
    assert staff.post(detail(case, "start")).status_code == 200
    visit = staff.post(
        detail(case, "visit"),
        {"summary": "上门探望", "counselling": "安慰鼓励"},
        content_type="application/json",
    )
    assert visit.status_code == 200
    resolved = staff.post(
        detail(case, "resolve"), {"resolution": "已发放帮扶金"}, content_type="application/json"
    )
    assert resolved.json()["status"] == "resolved"
    mine = login(worker.user)
    rated = mine.post(
        detail(case, "rate"), {"rating": 5, "comment": "谢谢"}, content_type="application/json"
    )
    assert rated.status_code == 200
    assert rated.json()["rating"] == 5


def test_a_wrong_move_answers_409_with_a_code(tree, officer, case, login):
    response = login(officer).post(
        detail(case, "resolve"), {"resolution": "x"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_a_read_only_role_gets_403(tree, viewer, case, login):
    assert login(viewer).get(detail(case)).status_code == 200
    assert login(viewer).post(detail(case, "accept")).status_code == 403


def test_a_worker_sees_only_their_own_requests_and_no_internal_notes(
    tree, officer, outsider, worker, worker_b, case, login, hardship
):
    services.case_submit(
        actor=outsider, worker=worker_b, category=hardship, channel="phone",
        summary="别人的诉求", description="这是另一位职工的诉求。",
    )  # fmt: skip
    services.case_note(actor=officer, case=case, text="内部：家属情绪激动，注意沟通")
    client = login(worker.user)
    body = client.get(reverse("api:case-list")).json()
    assert [row["reference"] for row in body["results"]] == [case.reference]
    detail_body = client.get(detail(case)).json()
    assert "内部" not in str(detail_body)
    assert all(
        set(event) == {"created_at", "kind", "public_message"} for event in detail_body["events"]
    )
    assert detail_body["followups"] == []


def test_a_worker_opens_their_own_request_by_api(tree, worker, login):
    response = login(worker.user).post(
        reverse("api:case-list"),
        {"category": "childcare", "summary": "暑期托管", "description": "孩子暑假无人照看。"},
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.worker == worker
    assert case.channel == "mobile"


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+08:00", "0001-01-01", "9999-12-31T23:59"])
def test_a_contact_time_no_one_means_is_refused_not_crashed_on(tree, officer, case, login, value):
    services.case_accept(actor=officer, case=case)
    client = login(officer)
    response = client.post(
        reverse("api:case-call", args=[case.public_id]),
        {"summary": "电话回访", "happened_at": value},
        content_type="application/json",
    )
    assert response.status_code == 400 and "happened_at" in response.json()
    page = client.post(
        reverse("cases:case-action", args=[case.public_id, "contact"]),
        {"kind": "call", "summary": "电话回访", "happened_at": value[:16]},
    )
    assert page.status_code == 400
    assert not case.events.filter(kind="call").exists()


def test_the_api_refers_only_where_the_page_offers(tree, officer, case, login):
    """Another station's enterprise union takes a request through its station, by API too."""
    from unionhub.cases.forms import ReferForm

    services.case_accept(actor=officer, case=case)
    offered = set(ReferForm(case=case).fields["organization"].queryset)
    assert tree.union_b not in offered and tree.station_b in offered
    response = login(officer).post(
        reverse("api:case-refer", args=[case.public_id]),
        {"organization": tree.union_b.pk, "reason": "转其他企业工会"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "organization"
    case.refresh_from_db()
    assert case.organization != tree.union_b


def test_requests_referred_on_are_followed_by_api_and_the_list_stays_flat(
    tree, officer, outsider, worker, submit, login, count_queries
):
    def grow(count):
        for i in range(Case.objects.count(), Case.objects.count() + count):
            case = submit(summary=f"转办{i}", description=f"第{i}件：欠薪需区总工会协调。")
            services.case_refer(
                actor=officer, case=case, organization=tree.district, reason="需区总工会统筹"
            )

    url = reverse("api:case-referred-on")
    client = login(officer)
    grow(1)
    body = client.get(url).json()
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["status"], row["organization"]) == ("referred", tree.district.pk)
    assert client.get(reverse("api:case-list")).json()["count"] == 0  # no longer theirs
    assert client.get(f"/api/v1/cases/{row['id']}/").status_code == 404  # nor its timeline
    assert login(outsider).get(url).json()["count"] == 0
    assert login(worker.user).get(url).json()["count"] == 0
    client = login(officer)
    with count_queries() as small:
        client.get(url)
    grow(30)
    with count_queries() as large:
        body = client.get(url, {"page_size": 25}).json()
    assert (body["count"], len(body["results"])) == (31, 25)
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


@pytest.fixture
def reported(submit):
    """A request a workmate phoned in, leaving their own mobile number."""
    return submit(
        reporter=services.Reporter(name="周国强", relation="同班组工友", phone="13961708852")
    )


def test_a_reporters_mobile_is_masked_for_roles_that_may_not_handle_the_request(
    tree, officer, viewer, reported, login
):
    approver = staff(tree.station_a, Membership.Role.FUND_APPROVER, username="approver")
    assert login(officer).get(detail(reported)).json()["reporter_phone"] == "13961708852"
    for reader in (viewer, approver):  # a fund auditor, a fund approver
        body = login(reader).get(detail(reported)).json()
        assert body["reporter_phone"] == "139****8852"
        assert body["reporter_name"] == "周国强"
        assert "13961708852" not in str(body)


def test_withdrawing_with_an_empty_reason_is_like_giving_none(tree, worker, case, login):
    response = login(worker.user).post(
        detail(case, "withdraw"), {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_a_request_sent_again_after_it_was_referred_away_answers_where_it_went(
    tree, officer, worker, login
):
    client = login(officer)
    payload = {
        "worker": str(worker.public_id), "category": "legal_aid", "channel": "phone",
        "summary": "被拖欠工资", "description": "老板拖欠两个月工资，共一万二千元。",
    }  # fmt: skip
    first = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="k-away")
    case = Case.objects.get(public_id=first.json()["id"])
    services.case_refer(actor=officer, case=case, organization=tree.district, reason="区总统筹")
    again = client.post(reverse("api:case-list"), payload, HTTP_IDEMPOTENCY_KEY="k-away")
    assert again.status_code == 200
    assert again.json() == {"id": str(case.public_id), "status": "referred"}
    assert Case.objects.count() == 1


def test_the_api_sends_a_referred_request_back_unaccepted(tree, officer, outsider, case, login):
    services.case_refer(
        actor=officer, case=case, organization=tree.station_b, reason="职工已调往堰桥工作"
    )
    url = reverse("api:case-send-back", args=[case.public_id])
    assert (
        login(officer).post(url, {"reason": "x"}, content_type="application/json").status_code
        == 404
    )
    client = login(outsider)
    assert client.post(url, {}, content_type="application/json").status_code == 400
    response = client.post(url, {"reason": "仍在原单位工作"}, content_type="application/json")
    assert response.json() == {"id": str(case.public_id), "status": "referred"}
    case.refresh_from_db()
    assert (case.status, case.organization, case.accepted_at) == ("referred", tree.union_a, None)
    # Station B sent it here, so from here it may go back to station B: the last to hand it on.
    again = login(officer).post(url, {"reason": "请堰桥核实"}, content_type="application/json")
    assert again.status_code == 200
    case.refresh_from_db()
    assert case.organization == tree.station_b


def test_the_api_passes_a_referred_request_on_without_accepting_it(
    tree, officer, outsider, case, login
):
    services.case_refer(
        actor=officer, case=case, organization=tree.station_b, reason="职工已调往堰桥工作"
    )
    response = login(outsider).post(
        reverse("api:case-refer", args=[case.public_id]),
        {"organization": tree.district.pk, "reason": "需区总工会统筹"},
        content_type="application/json",
    )
    assert response.json() == {"id": str(case.public_id), "status": "referred"}
    case.refresh_from_db()
    assert (case.organization, case.accepted_at) == (tree.district, None)
