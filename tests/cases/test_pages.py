import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import staff
from tests.factories import WorkerFactory, make_id_number
from unionhub.cases import services
from unionhub.cases.models import Case
from unionhub.orgs.models import Membership


@pytest.fixture
def other_case(tree, outsider, worker_b, hardship):
    return services.case_submit(
        actor=outsider, worker=worker_b, category=hardship, channel="phone",
        summary="工资被拖欠", description="堰桥某厂拖欠三个月工资，共一万八千元。",
    )  # fmt: skip


def queue(client, **params):
    return client.get(reverse("cases:case-list"), params)


def refs(response) -> set[str]:
    return {case.reference for case in response.context["page"]}


def test_the_queue_shows_the_subtree_only_through_every_filter_and_search(
    tree, officer, case, other_case, login
):
    client = login(officer)
    assert refs(queue(client)) == {case.reference}
    for params in (
        {"q": other_case.reference.lower()},
        {"q": "拖欠"},
        {"q": other_case.worker_mobile_tail},
        {"q": other_case.worker.mobile[-6:]},
        {"status": "all"},
        {"organization": tree.station_b.pk},
        {"sla": "on_time"},
    ):
        response = queue(client, **params)
        assert other_case.reference not in refs(response), params
        assert other_case.reference not in response.content.decode()


def test_search_finds_reference_name_tail_and_words(tree, officer, case, login):
    client = login(officer)
    for term in (
        case.reference,
        case.reference[-6:],
        case.worker_name,
        case.worker_mobile_tail,
        f"尾号{case.worker_mobile_tail}",  # copied as the queue shows it
        f"尾号 {case.worker_mobile_tail}",
        case.worker.mobile[-5:],  # five or six digits, as the search box invites
        case.worker.mobile[-6:],
        "透析",
    ):
        assert refs(queue(client, q=term)) == {case.reference}, term
    assert refs(queue(client, q="不存在的词")) == set()
    wrong = str((int(case.worker.mobile[-6]) + 1) % 10) + case.worker.mobile[-5:]
    assert refs(queue(client, q=wrong)) == set()  # the last four match, the sixth does not


def test_search_finds_a_worker_by_pinyin_and_id_tail_and_follows_a_correction(
    tree, officer, case, login
):
    from unionhub.workers.services import worker_update

    client = login(officer)
    worker_update(actor=officer, worker=case.worker, name="吕晓燕")
    for term in ("lvxiaoyan", "LXY", "xiaoyan", "Lv Xiaoyan", "吕晓燕", case.worker.id_tail):
        assert refs(queue(client, q=term)) == {case.reference}, term
    assert refs(queue(client, q="wxm")) == set()
    # A corrected ID number: the queue finds the request by the new tail.
    old_tail = case.worker.id_tail
    number = make_id_number()
    worker_update(actor=officer, worker=case.worker, id_number=number)
    assert refs(queue(client, q=number[-4:].lower())) == {case.reference}
    if old_tail != number[-4:]:
        assert refs(queue(client, q=old_tail)) == set()


def test_words_in_english_are_searched_as_typed_not_only_run_together(officer, submit, login):
    english = submit(summary="Heat stroke on the line", description="Fainted at work.")
    assert refs(queue(login(officer), q="heat stroke")) == {english.reference}


def test_the_migration_rebuilds_the_search_column_as_intake_writes_it(case, submit, monkeypatch):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "unionhub.cases.migrations.0013_search_text_pinyin_and_id_tail"
    )
    submit(summary="另一件事")
    submit(summary="第三件事")
    written = dict(Case.objects.values_list("pk", "search_text"))
    Case.objects.update(search_text="")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches, the last one partly empty
    migration.refresh_search_text(apps, None)
    assert dict(Case.objects.values_list("pk", "search_text")) == written
    assert case.worker.name_pinyin.split()[-1] in written[case.pk]


def test_filters_by_status_assignee_and_deadline(tree, officer, case, submit, login):
    client = login(officer)
    services.case_accept(actor=officer, case=case)
    other = submit(summary="另一件事")
    assert refs(queue(client, status="accepted")) == {case.reference}
    assert refs(queue(client, assignee="me")) == {case.reference}
    assert refs(queue(client, assignee="none")) == {other.reference}
    assert refs(queue(client, sla="breached")) == set()
    mine = client.get(reverse("cases:case-mine"))
    assert refs(mine) == {case.reference}


def test_another_stations_request_answers_404_everywhere(tree, outsider, case, login):
    client = login(outsider)
    assert client.get(reverse("cases:case-detail", args=[case.public_id])).status_code == 404
    action = reverse("cases:case-action", args=[case.public_id, "accept"])
    assert client.post(action).status_code == 404
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_a_read_only_role_sees_the_request_but_no_actions(tree, viewer, case, login):
    response = login(viewer).get(reverse("cases:case-detail", args=[case.public_id]))
    assert response.status_code == 200
    assert response.context["actions"] == set()
    assert case.worker.mobile not in response.content.decode()
    refused = login(viewer).post(reverse("cases:case-action", args=[case.public_id, "accept"]))
    assert refused.status_code == 403


def test_a_reporters_mobile_is_shown_in_full_only_to_those_who_may_handle_the_request(
    tree, officer, viewer, submit, login
):
    case = submit(
        reporter=services.Reporter(name="周国强", relation="同班组工友", phone="13961708852")
    )
    url = reverse("cases:case-detail", args=[case.public_id])
    page = login(officer).get(url).content.decode()
    assert 'href="tel:13961708852"' in page
    approver = staff(tree.station_a, Membership.Role.FUND_APPROVER, username="approver")
    for reader in (viewer, approver):  # a fund auditor, a fund approver
        page = login(reader).get(url).content.decode()
        assert "周国强" in page and "139****8852" in page
        assert "13961708852" not in page


def test_actions_happen_in_place_with_htmx(tree, officer, case, login):
    client = login(officer)
    url = reverse("cases:case-action", args=[case.public_id, "accept"])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert Case.objects.get(pk=case.pk).status == "accepted"
    note = client.post(
        reverse("cases:case-action", args=[case.public_id, "note"]),
        {"text": "已联系企业人事核实"},
        HTTP_HX_REQUEST="true",
    )
    assert "已联系企业人事核实" in note.content.decode()


def test_the_officer_is_told_whether_the_worker_was_told(tree, officer, case, submit, login):
    client = login(officer)

    def accept(request) -> list:
        url = reverse("cases:case-action", args=[request.public_id, "accept"])
        return list(client.post(url, follow=True).context["messages"])

    [told] = accept(case)
    assert told.level_tag == "success" and "已通知职工" in str(told)

    offline = WorkerFactory(name="周建国", organization=tree.union_a, enterprise=tree.enterprise_a)
    [warning] = accept(submit(worker=offline))
    assert warning.level_tag == "warning"
    assert "周建国" in str(warning) and "电话" in str(warning)


def test_a_refused_action_shows_its_message_and_changes_nothing(tree, officer, case, login):
    client = login(officer)
    response = client.post(
        reverse("cases:case-action", args=[case.public_id, "resolve"]),
        {"resolution": "已解决"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["resolve_form"].errors
    assert Case.objects.get(pk=case.pk).status == "submitted"
    empty = client.post(reverse("cases:case-action", args=[case.public_id, "note"]), {"text": " "})
    assert empty.status_code == 400


def test_referring_out_of_scope_leaves_the_officer_following_it_read_only(
    tree, officer, outsider, case, login
):
    client = login(officer)
    note = "内部备注：职工情绪不稳定，注意沟通方式"
    response = client.post(
        reverse("cases:case-action", args=[case.public_id, "refer"]),
        {"organization": tree.district.pk, "reason": "需要区总工会处理"},
        HTTP_HX_REQUEST="true",
    )
    detail = reverse("cases:case-detail", args=[case.public_id])
    assert response["HX-Redirect"] == detail
    from tests.conftest import staff
    from unionhub.orgs.models import Membership

    district = staff(tree.district, Membership.Role.DISTRICT_ADMIN, username="district_officer")
    services.case_accept(actor=district, case=case)
    services.case_note(actor=district, case=case, text=note)
    page = client.get(detail)
    assert page.templates[0].name == "cases/case_referred_out.html"
    html = page.content.decode()
    assert tree.district.name in html and "已受理" in html
    assert note not in html and "需要区总工会处理" not in html  # staff lines stay with staff
    # Nothing to act on: every action answers as if the request were not there.
    refused = client.post(
        reverse("cases:case-action", args=[case.public_id, "note"]), {"text": "还想补充"}
    )
    assert refused.status_code == 404
    assert not case.events.filter(body="还想补充").exists()
    listed = client.get(reverse("cases:referred-out-list"))
    assert [c.reference for c in listed.context["page"]] == [case.reference]
    assert case.reference not in queue(client, status="all").content.decode()
    # Another station's officer still finds nothing there.
    assert login(outsider).get(detail).status_code == 404
    assert not login(outsider).get(reverse("cases:referred-out-list")).context["page"]


def test_bulk_assign_assigns_only_requests_in_scope(tree, officer, case, other_case, login):
    from tests.conftest import staff
    from unionhub.orgs.models import Membership

    colleague = staff(tree.station_a, Membership.Role.STATION_STAFF, full_name="钱慧")
    response = login(officer).post(
        reverse("cases:case-bulk-assign"),
        {"case": [case.public_id, other_case.public_id], "assignee": colleague.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).assignee == colleague
    assert Case.objects.get(pk=other_case.pk).assignee is None
    # The new request was taken on by assigning it: the officer is told.
    told = [str(m) for m in response.context["messages"]]
    assert told == ["已将1件诉求指派给钱慧。", "其中1件是新诉求，现已受理并安排了回访计划。"]


def test_only_requests_that_can_be_assigned_have_a_box_to_tick(tree, officer, case, login):
    services.case_reject(actor=officer, case=case, reason="不属于工会受理范围")
    closed = queue(login(officer), status="all").content.decode()
    assert case.reference in closed
    assert f'name="case" value="{case.public_id}"' not in closed


def test_bulk_assign_lists_colleagues_under_the_organisation_they_work_for(
    tree, officer, case, login
):
    from tests.conftest import staff
    from unionhub.orgs.models import Membership

    staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="华伟达")
    staff(tree.station_b, Membership.Role.STATION_STAFF, full_name="华振宇")  # not in scope
    page = login(officer).get(reverse("cases:case-list")).content.decode()
    picker = page[
        page.index('id="bulk-assignee"') : page.index("</select>", page.index("bulk-assignee"))
    ]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', picker)
    assert [(label, re.findall(r">([^<]+)</option>", options)) for label, options in groups] == [
        ("舜何社区产改指导站", ["蒋丽华"]),
        ("无锡伟达五金有限公司工会", ["华伟达"]),
    ]


def test_the_export_is_scoped_masked_and_formula_safe(tree, officer, submit, other_case, login):
    dangerous = submit(summary='=HYPERLINK("http://evil","点击")')
    response = login(officer).get(reverse("cases:case-export"), {"status": "all"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    references = {row[0] for row in rows[1:]}
    assert references == {dangerous.reference}
    row = rows[1]
    worker = dangerous.worker
    assert worker.mobile not in [str(v) for v in row]
    assert worker.id_number_masked in row
    header = list(rows[0])
    cell = workbook.active.cell(row=2, column=header.index("摘要") + 1)
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")
    # The deadline itself, beside its state, in Shanghai time.
    due = row[header.index("时限截止")]
    expected = timezone.localtime(dangerous.sla_due_at).replace(tzinfo=None)
    assert abs(due - expected).total_seconds() < 0.001  # Excel keeps milliseconds


def test_the_worker_page_shows_one_timeline(tree, officer, case, login):
    services.case_accept(actor=officer, case=case)
    services.case_log_contact(actor=officer, case=case, kind="visit", summary="上门探望")
    response = login(officer).get(reverse("workers:worker-detail", args=[case.worker.public_id]))
    titles = [item.kind for item in response.context["timeline"]]
    assert len(titles) >= 3
    assert case.reference in response.content.decode()
    # A rating shows its score on the staff side, not the worker's "you rated" wording.
    services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金。")
    services.case_rate(actor=case.worker.user, case=case, rating=4, comment="很及时")
    response = login(officer).get(reverse("workers:worker-detail", args=[case.worker.public_id]))
    rated = next(i for i in response.context["timeline"] if i.kind == "评价")
    assert rated.detail == f"{case.worker.name}：4分（满分5分） · 很及时"


def test_a_referred_part_and_its_request_link_each_other_for_those_who_may_open_them(
    tree, officer, case, district_admin, login
):
    services.case_accept(actor=officer, case=case)
    child = services.case_refer_part(
        actor=officer, case=case, organization=tree.district, summary="申请大额救助",
        reason="需区总工会资金",
    )  # fmt: skip
    link = f'href="/cases/{case.public_id}/"'
    page = login(district_admin).get(reverse("cases:case-detail", args=[child.public_id]))
    assert link in page.content.decode()
    # The parent lists the part: linked for the district, which may open it; named, not linked,
    # for the station, which may not.
    part_link = f'href="/cases/{child.public_id}/"'
    parent_url = reverse("cases:case-detail", args=[case.public_id])
    assert part_link in login(district_admin).get(parent_url).content.decode()
    station_page = login(officer).get(parent_url).content.decode()
    assert child.reference in station_page and part_link not in station_page


def make_cases(tree, officer, hardship, count):
    for i in range(count):
        worker = WorkerFactory(organization=tree.union_a, enterprise=tree.enterprise_a)
        services.case_submit(
            actor=officer, worker=worker, category=hardship, channel="phone",
            summary=f"困难帮扶{i}", description="家庭困难，申请帮扶。",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [
        # session, user, memberships, unread notifications, colleagues (assignee filter),
        # the organisation filter's choices, bounded count, the page of requests
        ("cases:case-list", 9),
        # session, user, memberships, bounded count, the page of requests
        ("api:case-list", 5),
    ],
)
def test_the_queue_makes_the_same_number_of_queries_as_rows_grow(
    tree, officer, hardship, login, count_queries, url_name, budget
):
    client = login(officer)
    make_cases(tree, officer, hardship, 2)
    client.get(reverse(url_name))
    with count_queries() as small:
        client.get(reverse(url_name))
    make_cases(tree, officer, hardship, 30)
    with count_queries() as large:
        client.get(reverse(url_name))
    assert len(large) == len(small) <= budget, [q["sql"][:120] for q in large.captured_queries]


def test_the_detail_page_makes_the_same_number_of_queries_as_the_timeline_grows(
    tree, officer, case, login, count_queries
):
    client = login(officer)
    services.case_accept(actor=officer, case=case)
    url = reverse("cases:case-detail", args=[case.public_id])
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for i in range(20):
        services.case_note(actor=officer, case=case, text=f"跟进记录{i}")
        services.case_log_contact(actor=officer, case=case, kind="call", summary=f"电话{i}")
    with count_queries() as large:
        client.get(url)
    assert len(large) == len(small) <= 20, [q["sql"][:120] for q in large.captured_queries]


def test_the_queue_never_counts_past_its_bound(tree, officer, hardship, login, settings):
    from unionhub.core.pagination import BoundedPaginator

    make_cases(tree, officer, hardship, 6)
    original = BoundedPaginator.count_limit
    BoundedPaginator.count_limit = 5
    try:
        response = login(officer).get(reverse("cases:case-list"))
        page = response.context["page"]
        assert page.paginator.is_capped
        assert page.paginator.count == 6  # it stopped counting at the bound + 1
        assert len(page) == 5 or page.paginator.num_pages == 1
    finally:
        BoundedPaginator.count_limit = original


def test_a_full_mobile_number_is_refused_but_a_reference_is_fine(tree, officer, case, login):
    client = login(officer)
    refused = queue(client, q=case.worker.mobile)
    assert refs(refused) == set()
    assert refused.context["form"].errors["q"]
    assert refs(queue(client, q=case.reference)) == {case.reference}
    prefix, year, number = case.reference.split("-")
    for as_typed in (f"{year}-{number}", f"{prefix}-{year}-{int(number)}", f"{year}-{int(number)}"):
        found = queue(client, q=as_typed)
        assert not found.context["form"].errors and refs(found) == {case.reference}, as_typed


def test_an_unknown_sort_in_a_link_falls_back_to_the_default(tree, officer, case, login):
    response = queue(login(officer), sort="deadline")
    assert not response.context["form"].errors
    assert refs(response) == {case.reference}


def test_referral_offers_the_districts_offices_and_the_unions_near_the_request(tree, case):
    """A district has hundreds of enterprise unions: the referral list holds its union, streets
    and stations, and the enterprise unions under the request's own station."""
    from unionhub.cases.forms import ReferForm

    case.organization = tree.station_a
    case.owner_path = tree.station_a.path
    offered = set(ReferForm(case=case).fields["organization"].queryset)
    assert offered == {
        tree.district, tree.street_a, tree.street_b, tree.station_b, tree.union_a,
    }  # fmt: skip


def test_organisation_choices_show_the_tree(tree, case, count_queries):
    """Each organisation sits indented under its parent, in one query."""
    from unionhub.cases.forms import ReferForm

    field = ReferForm(case=case).fields["organization"]
    with count_queries() as queries:
        labels = [label for value, label in field.choices if value]
    assert len(queries) == 1
    indent = {label.strip("\u3000"): len(label) - len(label.lstrip("\u3000")) for label in labels}
    assert indent[tree.district.name] == 0
    assert indent[tree.street_b.name] == 1
    assert indent[tree.station_b.name] == 2
    names = [label.strip("\u3000") for label in labels]
    assert names.index(tree.street_b.name) < names.index(tree.station_b.name)


def test_resolving_while_a_referred_part_is_open_is_warned(tree, officer, case, login):
    services.case_accept(actor=officer, case=case)
    client = login(officer)
    url = reverse("cases:case-detail", args=[case.public_id])
    assert client.get(url).context["resolve_warning"] == ""
    part = services.case_refer_part(
        actor=officer, case=case, organization=tree.district,
        summary="大病救助金", reason="超出本级额度",
    )  # fmt: skip
    warning = client.get(url).context["resolve_warning"]
    assert part.reference in warning and tree.district.name in warning and "仍在办理" in warning
    assert warning in client.get(url).content.decode()


@pytest.mark.parametrize(
    "url_name", ["cases:case-list", "cases:case-export", "api:case-list", "core:audit-list"]
)
@pytest.mark.parametrize("params", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
def test_a_date_no_one_means_is_refused_not_crashed_on(
    tree, district_admin, case, login, url_name, params
):
    response = login(district_admin).get(reverse(url_name), params, follow=True)
    assert response.status_code in (200, 400)
    if url_name == "api:case-list":
        assert response.status_code == 400
        assert "1900-01-01" in str(response.json())
    else:
        assert response.context["form"].errors
        if url_name == "cases:case-export":  # back to the queue, which says what is wrong
            assert response.redirect_chain[0][0].startswith(reverse("cases:case-list"))
            said = [str(m) for m in response.context["messages"]]
            assert said == ["请先更正筛选条件再导出。"]


def test_the_export_holds_exactly_the_requests_of_the_chosen_dates(tree, officer, submit, login):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)):
        march = submit(summary="三月的诉求")
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, tzinfo=datetime.UTC)):
        may = submit(summary="五月的诉求")
    client = login(officer)

    def exported(**params) -> set[str]:
        response = client.get(reverse("cases:case-export"), {"status": "all", **params})
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return {row[0] for row in list(workbook.active.iter_rows(values_only=True))[1:]}

    assert exported(since="2026-03-01", until="2026-03-31") == {march.reference}
    assert exported(since="2026-05-20") == {may.reference}
    assert exported(until="2026-05-19") == {march.reference}
    assert exported() == {march.reference, may.reference}


def test_the_export_link_follows_the_filters_changed_in_place(tree, officer, case, login):
    response = login(officer).get(
        reverse("cases:case-list"), {"status": "submitted"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert 'id="case-export" hx-swap-oob="true"' in page
    assert f"{reverse('cases:case-export')}?status=submitted" in page


def test_the_emergency_money_clock_runs_only_while_the_request_is_open(
    tree, officer, submit, login
):
    import datetime

    import time_machine

    from unionhub.cases.models import ServiceCategory

    fire = submit(category=ServiceCategory.objects.get(code="emergency_aid"), summary="家中失火")
    url = reverse("cases:case-detail", args=[fire.public_id])
    with time_machine.travel(fire.submitted_at + datetime.timedelta(minutes=5), tick=False):
        soon = login(officer).get(url)
    assert soon.context["money_waiting"] == {"over": False, "left": "23 小时 55 分", "overdue": ""}
    assert "24小时时限正在计时，还剩 23 小时 55 分。" in soon.content.decode()
    with time_machine.travel(fire.submitted_at + datetime.timedelta(hours=30)):
        late = login(officer).get(url)  # a new session: the first one has expired by then
    assert late.context["money_waiting"]["over"] is True
    assert "已超出24小时时限 6 小时" in late.content.decode()
    assert "超过24小时" in late.content.decode()
    services.case_accept(actor=officer, case=fire)
    services.case_resolve(actor=officer, case=fire, resolution="已协调企业安置")
    assert login(officer).get(url).context["money_waiting"] is None


def test_a_referred_part_keeps_the_officers_reason_from_the_worker(
    tree, officer, case, worker, client
):
    services.case_accept(actor=officer, case=case)
    part = services.case_refer_part(
        actor=officer, case=case, organization=tree.district,
        summary="大病救助金", reason="企业工会已先行救助，超出本级额度",
    )  # fmt: skip
    assert part.description == case.description
    staff_side = part.events.get(kind="submitted").body
    assert "超出本级额度" in staff_side
    client.force_login(worker.user, backend="unionhub.accounts.backends.UsernameOrMobileBackend")
    page = client.get(reverse("portal:case-detail", args=[part.public_id])).content.decode()
    assert "大病救助金" in page and "超出本级额度" not in page


def test_every_id_on_the_request_page_is_unique(tree, officer, case, login):
    """Many action forms share the page: a label must lead to its own form's field."""
    import collections
    import re

    services.case_accept(actor=officer, case=case)
    page = login(officer).get(reverse("cases:case-detail", args=[case.public_id]))
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', page.content.decode()))
    assert [name for name, count in ids.items() if count > 1] == []


def test_the_queue_gives_the_year_of_dates_from_another_year(tree, officer, submit, login):
    import datetime

    from django.utils import timezone

    last_year = timezone.now() - datetime.timedelta(days=400)
    old = submit(submitted_at=last_year, summary="去年的诉求")
    page = login(officer).get(reverse("cases:case-list"), {"q": old.reference})
    assert timezone.localtime(last_year).strftime("%Y-%m-%d %H:%M") in page.content.decode()


def test_the_assign_list_offers_only_colleagues_the_request_accepts(
    tree, district_admin, officer, case
):
    from tests.conftest import Role, staff
    from unionhub.cases.forms import AssignForm

    elsewhere = staff(tree.station_b, Role.STATION_STAFF, username="b-staff", full_name="严俊")
    offered = set(AssignForm(user=district_admin, case=case).fields["assignee"].queryset)
    assert officer in offered and district_admin in offered and elsewhere not in offered
    for person in offered:  # each one is accepted by the service
        services.case_assign(actor=district_admin, case=case, assignee=person)


def test_a_search_that_finds_nothing_open_offers_the_closed_ones(tree, officer, case, login):
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金。")
    client = login(officer)
    page = client.get(reverse("cases:case-list"), {"q": case.worker.name}).content.decode()
    assert "在已办结的诉求中也查找" in page and "status=all" in page
    everything = client.get(reverse("cases:case-list"), {"q": case.worker.name, "status": "all"})
    assert case.reference in everything.content.decode()


@pytest.mark.parametrize(
    ("url_name", "bad"),
    [
        ("cases:case-list", {"status": "xx"}),
        ("cases:followup-list", {"when": "xx"}),
        ("workers:worker-list", {"hardship_level": "xx"}),
    ],
)
def test_a_filter_that_does_not_hold_is_explained_once(district_admin, login, url_name, bad):
    """Beside the field on a full page; above the rows when htmx redraws only the table."""
    client = login(district_admin)
    said = "xx 不在可用的选项中"
    page = client.get(reverse(url_name), bad).content.decode()
    assert page.count(said) == 1
    assert 'aria-invalid="true"' in page
    if url_name != "cases:followup-list":  # the follow-ups reload as a whole page
        swap = client.get(reverse(url_name), bad, HTTP_HX_REQUEST="true").content.decode()
        assert swap.count(said) == 1 and "<html" not in swap


@pytest.mark.parametrize("url_name", ["cases:case-list", "workers:worker-list"])
def test_a_list_says_its_answer_depends_on_htmx_so_back_never_shows_a_bare_table(
    district_admin, login, url_name
):
    client = login(district_admin)
    fragment = client.get(reverse(url_name), {"q": "王"}, HTTP_HX_REQUEST="true")
    page = client.get(reverse(url_name), {"q": "王"})
    for response in (fragment, page):
        assert "HX-Request" in response["Vary"]
    assert b"<html" not in fragment.content and b"<html" in page.content


def test_htmx_restoring_a_page_its_history_lost_gets_the_whole_page(district_admin, login):
    response = login(district_admin).get(
        reverse("cases:case-list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert b"<html" in response.content
    assert "HX-History-Restore-Request" in response["Vary"]


def test_no_select_offers_djangos_dashes_instead_of_saying_what_to_choose(
    tree, officer, case, login
):
    client = login(officer)
    services.case_accept(actor=officer, case=case)
    for url in (
        reverse("cases:case-create"),
        reverse("cases:case-detail", args=[case.public_id]),
        reverse("workers:worker-create"),
    ):
        html = client.get(url).content.decode()
        assert "---------" not in html, url
    assert "请选择" in client.get(reverse("cases:case-create")).content.decode()


def test_bulk_assign_without_a_colleague_keeps_the_requests_ticked(tree, officer, case, login):
    client = login(officer)
    response = client.post(
        reverse("cases:case-bulk-assign"), {"case": [case.public_id], "assignee": ""}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["请选择指派对象。"]
    assert f'value="{case.public_id}" aria-label="选择{case.reference}" checked>' in (
        response.content.decode()
    )
    assert Case.objects.get(pk=case.pk).assignee is None
    # Only once: the next look at the queue starts clear.
    again = client.get(reverse("cases:case-list")).content.decode()
    assert f'value="{case.public_id}" aria-label="选择{case.reference}">' in again


def test_the_reject_form_says_the_worker_reads_the_reason(tree, officer, case, login):
    url = reverse("cases:case-detail", args=[case.public_id]) + "?open=reject"
    html = login(officer).get(url).content.decode()
    reject = html[html.index('id="action-reject"') :]
    reject = reject[: reject.index("</details>")]
    assert "职工会在手机上看到这条理由，内部意见请写在备注里。" in reject


def test_the_referred_on_list_makes_the_same_number_of_queries_as_rows_grow(
    tree, officer, submit, login, count_queries
):
    def grow(count):
        for i in range(Case.objects.count(), Case.objects.count() + count):
            case = submit(summary=f"转办{i}", description=f"第{i}件：欠薪需协调。")
            services.case_refer(
                actor=officer, case=case, organization=tree.district, reason="需区总工会统筹"
            )

    client = login(officer)
    url = reverse("cases:referred-out-list")
    grow(1)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    grow(26)
    with count_queries() as large:
        response = client.get(url)
    assert len(response.context["page"]) == 25
    # session, user, memberships, bounded count, the page of requests
    assert len(large) == len(small) <= 6, [q["sql"][:120] for q in large.captured_queries]


def test_the_station_a_request_was_referred_to_can_send_it_back_from_the_page(
    tree, officer, outsider, case, login
):
    from django.contrib.messages import get_messages

    services.case_refer(
        actor=officer, case=case, organization=tree.station_b, reason="职工已调往堰桥工作"
    )
    client = login(outsider)
    detail = reverse("cases:case-detail", args=[case.public_id])
    html = client.get(detail).content.decode()
    assert "退回无锡伟达五金有限公司工会" in html and "整体转办" in html
    empty = client.post(reverse("cases:case-action", args=[case.public_id, "send_back"]), {})
    assert empty.status_code == 400
    assert empty.context["send_back_form"].errors["reason"] == ["请填写理由。"]
    response = client.post(
        reverse("cases:case-action", args=[case.public_id, "send_back"]),
        {"reason": "该职工仍在伟达五金工作"},
    )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["诉求已退回无锡伟达五金有限公司工会。"]
    case.refresh_from_db()
    assert (case.status, case.organization) == ("referred", tree.union_a)
    # Station B now follows it, read only; station A has it back, marked as sent back.
    following = client.get(detail)
    assert following.templates[0].name == "cases/case_referred_out.html"
    assert "整体转办" not in following.content.decode()
    assert "退回。此诉求现由无锡伟达五金有限公司工会承办" in following.content.decode()
    back = login(officer).get(detail).content.decode()
    assert "已退回" in back and "该职工仍在伟达五金工作" in back


def test_bulk_assign_says_in_one_message_whom_it_could_not_give_which_requests_and_why(
    tree, officer, case, submit, login
):
    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="尤国平")
    at_station = [submit(organization=tree.station_a, summary=f"站点诉求{i}") for i in range(2)]
    closed = submit(summary="已处理")
    services.case_reject(actor=officer, case=closed, reason="重复申请")
    ticked = [case, *at_station, closed]
    response = login(officer).post(
        reverse("cases:case-bulk-assign"),
        {"case": [c.public_id for c in ticked], "assignee": chair.pk},
        follow=True,
    )
    assert Case.objects.get(pk=case.pk).assignee == chair
    assert all(Case.objects.get(pk=c.pk).assignee != chair for c in at_station)
    told = [str(m) for m in response.context["messages"]]
    first, second = sorted(c.reference for c in at_station)
    assert told[0] == (
        f"已指派 1 件；3 件未指派：尤国平不能办理舜何社区产改指导站的诉求（{first}、{second}）；"
        f"“不予受理”的诉求不能指派（{closed.reference}）。"
    )  # grouped by why, in the order of their references
    assert ": " not in told[0]
    assert next(iter(response.context["messages"])).level_tag == "warning"


def test_bulk_assign_that_assigns_nothing_says_so_in_english_too(
    tree, officer, submit, login, settings
):
    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="You Guoping")
    request = submit(organization=tree.station_a)
    client = login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("cases:case-bulk-assign"),
        {"case": [request.public_id], "assignee": chair.pk},
        follow=True,
    )
    told = [str(m) for m in response.context["messages"]]
    assert told == [
        "1 request not assigned: You Guoping cannot handle requests of 舜何社区产改指导站 "
        f"({request.reference})."
    ]


@pytest.mark.parametrize(
    ("after", "said"),
    [
        ({"minutes": 5}, "还剩 23 小时 55 分。"),
        ({"hours": 23, "minutes": 0, "seconds": 30}, "还剩 59 分钟。"),  # not "1 hour left"
        ({"hours": 23, "minutes": 59, "seconds": 30}, "还剩 不到 1 分钟。"),
        ({"hours": 25, "minutes": 5}, "已超出24小时时限 1 小时 5 分。"),
        ({"hours": 24, "minutes": 40}, "已超出24小时时限 40 分钟。"),
    ],
)
def test_the_24_hour_clock_says_the_time_left_to_the_minute_never_rounded_up(
    tree, officer, submit, login, after, said
):
    import datetime

    import time_machine

    from unionhub.cases.models import ServiceCategory

    fire = submit(category=ServiceCategory.objects.get(code="emergency_aid"), summary="家中失火")
    with time_machine.travel(fire.submitted_at + datetime.timedelta(**after), tick=False):
        page = login(officer).get(reverse("cases:case-detail", args=[fire.public_id]))
    assert said in page.content.decode()


def test_the_24_hour_clock_speaks_english_too(tree, officer, submit, login, settings):
    import datetime

    import time_machine

    from unionhub.cases.models import ServiceCategory

    fire = submit(category=ServiceCategory.objects.get(code="emergency_aid"), summary="家中失火")
    client = login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("cases:case-detail", args=[fire.public_id])
    with time_machine.travel(
        fire.submitted_at + datetime.timedelta(hours=1, minutes=1), tick=False
    ):
        html = client.get(url).content.decode()
    assert "the 24-hour clock is running, 22 hours 59 minutes left." in html
    with time_machine.travel(
        fire.submitted_at + datetime.timedelta(hours=25, minutes=1), tick=False
    ):
        html = login(officer).get(url).content.decode()  # a new session: the first expired
    assert "the 24 hours ran out 1 hour 1 minute ago." in html


def test_aid_that_reached_the_worker_two_minutes_past_the_day_is_marked_late(
    tree, officer, submit, login
):
    import datetime

    from unionhub.cases.models import ServiceCategory

    fire = submit(category=ServiceCategory.objects.get(code="emergency_aid"), summary="家中失火")
    reached = fire.submitted_at + datetime.timedelta(hours=24, minutes=2)
    Case.objects.filter(pk=fire.pk).update(money_reached_at=reached)
    html = login(officer).get(reverse("cases:case-detail", args=[fire.public_id])).content.decode()
    assert "帮扶款在诉求提出后 24 小时 2 分 送达职工。" in html
    assert "超过24小时" in html  # "24.0 hours" once hid that it was late
