"""What a reviewer found using the portal as a worker on a 375-px phone, each kept fixed."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.conftest import staff
from tests.funds.conftest import make_fund
from unionhub.cases import services
from unionhub.cases.models import ServiceCategory
from unionhub.core.forms import UPLOAD_END
from unionhub.core.views import permission_denied
from unionhub.funds import services as fund_services
from unionhub.notifications.services import notify
from unionhub.orgs.models import Membership


@pytest.fixture
def worker_client(worker, login):
    return login(worker.user)


# Limits told before typing ------------------------------------------------------------------------


def test_the_request_form_says_how_long_the_summary_and_description_may_be(worker_client):
    html = worker_client.get(reverse("portal:case-create")).content.decode()
    assert '<div class="form-text" id="id_summary_helptext">最多100字。</div>' in html
    assert "至少5个字，最多2000字：发生了什么事，需要什么帮助。" in html
    # Without the script the browser still stops at the limit; with it, a counter takes over.
    assert 'maxlength="100"' in html and 'maxlength="2000"' in html
    assert '<input type="text" name="summary" data-count' in html
    assert "data-count-words" in html and 'data-left-other="还能输入{n}字"' in html


def test_a_description_over_the_limit_is_refused_with_both_numbers_and_kept(worker_client):
    response = worker_client.post(
        reverse("portal:case-create"),
        {
            "category": ServiceCategory.objects.get(code="hardship_relief").pk,
            "summary": "父亲住院",
            "description": "长" * 2100,
            "submission_key": "8a0f3c52-2a4e-4d7b-9f4e-3c1d2b6a7e90",
            UPLOAD_END: "1",
        },
    )
    html = response.content.decode()
    assert "最多填写 2000 个字符，现在有 2100 个。" in html
    assert "长" * 2100 in html


# No space after Chinese full-width punctuation -----------------------------------------------


def _page(client, url: str, language: str = "zh-hans") -> str:
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


def test_labels_and_numbers_follow_a_full_width_colon_without_a_space(tree, case, worker_client):
    tree.station_a.phone = "0510-83226801"
    tree.station_a.save()
    detail = _page(worker_client, reverse("portal:case-detail", args=[case.public_id]))
    assert "承办单位：无锡伟达五金有限公司工会" in detail
    assert '情况紧急？请致电舜何社区产改指导站：<a class="tel-link" href="tel:0510-' in detail
    form = _page(worker_client, reverse("portal:case-create"))
    assert '拨打工会服务热线：<a class="tel-link" href="tel:12351">12351</a>' in form
    data = _page(worker_client, reverse("portal:my-data"))
    assert "承办单位：无锡伟达五金有限公司工会" in data
    # English keeps its space after the colon.
    detail = _page(worker_client, reverse("portal:case-detail", args=[case.public_id]), "en")
    assert "Handled by: 无锡伟达五金有限公司工会" in detail
    assert 'Urgent? Call 舜何社区产改指导站: <a class="tel-link"' in detail
    form = _page(worker_client, reverse("portal:case-create"), "en")
    assert 'or your union chair: <a class="tel-link" href="tel:12351">' in form


def test_the_rating_comment_follows_the_sentence_before_it_without_a_space(
    case, officer, worker, worker_client
):
    services.case_accept(actor=officer, case=case)
    services.case_resolve(actor=officer, case=case, resolution="已发放帮扶金")
    services.case_rate(actor=worker.user, case=case, rating=5, comment="感谢工会的帮助！")
    url = reverse("portal:case-detail", args=[case.public_id])
    assert "您对本次服务的评价为5分。感谢工会的帮助！</p>" in _page(worker_client, url)
    english = _page(worker_client, url, "en")
    assert "You rated the service 5 out of 5. 感谢工会的帮助！</p>" in english


# An unread message is said so to a screen reader ----------------------------------------------


def test_an_unread_message_says_so_in_words_a_screen_reader_reads(worker, worker_client):
    notify(recipients=[worker.user], kind="case_update", title="您的诉求已受理", url="/portal/")
    html = _page(worker_client, reverse("portal:notification-list"))
    assert (
        '<span class="dot" aria-hidden="true"></span>'
        '<span class="visually-hidden">未读：</span>您的诉求已受理'
    ) in html
    assert "aria-label" not in html.split('class="notification-list')[1].split("</ul>")[0]


# "Aid I received" is not a dead end ---------------------------------------------------------------


@pytest.fixture
def aid(tree, worker, case):
    """One payment to the worker paid, one still being approved."""
    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, username="chair")
    approver = staff(tree.station_a, Membership.Role.FUND_APPROVER, username="approver")
    fund = make_fund(tree.union_a, officers=[chair])
    fund_services.donation_record(
        actor=chair, fund=fund, donor_kind="enterprise", donor_name="无锡伟达五金有限公司",
        amount=Decimal("5000.00"), channel="bank_transfer", received_on=timezone.localdate(),
        idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip

    services.case_accept(actor=chair, case=case)  # money is asked for a request taken up

    def ask(amount: str):
        return fund_services.disbursement_request(
            actor=chair, fund=fund, worker=worker, case=case, category=case.category,
            amount=Decimal(amount), method="cash", reason="家庭困难，申请帮扶。",
        )  # fmt: skip

    paid = fund_services.disbursement_approve(actor=approver, disbursement=ask("1000.00"))
    fund_services.disbursement_pay(
        actor=chair, disbursement=paid, payment_reference="SJ-0001",
        idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip
    ask("800.00")


def test_aid_received_leads_back_home_and_keeps_the_home_tab_lit(aid, worker_client):
    html = _page(worker_client, reverse("portal:aid-list"))
    home = reverse("portal:home")
    assert f'<a class="back-link" href="{home}"><span aria-hidden="true">‹</span> 首页</a>' in html
    nav = html.split('<nav class="bottom-nav"')[1]
    assert f'<a href="{home}" class="active">' in nav  # lit, but not "the current page"
    assert nav.count('class="active"') == 1 and 'aria-current="page"' not in nav


def test_aid_lines_start_with_a_capital_in_english(aid, worker_client):
    html = _page(worker_client, reverse("portal:aid-list"), "en")
    today = timezone.localdate().isoformat()  # in Asia/Shanghai, as the page shows it
    assert f"Paid on {today} · " in html and f"Asked for on {today} · " in html
    data = _page(worker_client, reverse("portal:my-data"), "en")
    assert f"Requested {today} · paid {today}" in data


# Open requests on the home page ---------------------------------------------------------------


def _open_requests(worker, hardship, count: int) -> None:
    for n in range(count):
        services.case_submit(
            actor=worker.user, worker=worker, category=hardship, channel="mobile",
            summary=f"第{n + 1}件事", description="孩子开学学费有困难。",
        )  # fmt: skip


def test_the_home_page_names_the_open_requests_and_leads_to_the_rest(
    worker, hardship, worker_client, count_queries
):
    _open_requests(worker, hardship, 4)
    with count_queries() as queries:
        html = _page(worker_client, reverse("portal:home"))
    section = html.split('<section class="card" aria-labelledby="open-title">')[1]
    section = section.split("</section>")[0]
    assert '<h2 id="open-title">未办结的诉求</h2>' in section
    assert section.count("<li>") == 3 and "第4件事" in section and "第1件事" not in section
    link = f'<a class="btn btn-outline btn-block" href="{reverse("portal:case-list")}">'
    assert link + "我的全部诉求</a>" in section
    assert len([q for q in queries.captured_queries if "cases_case" in q["sql"]]) == 1


def test_the_home_page_leads_to_all_requests_only_when_some_are_not_shown(
    worker, hardship, worker_client
):
    html = _page(worker_client, reverse("portal:home"))
    assert "open-title" not in html  # none open: no empty section
    _open_requests(worker, hardship, 3)
    html = _page(worker_client, reverse("portal:home"))
    assert "未办结的诉求" in html and "我的全部诉求" not in html


# Sent to the sign-in on the way somewhere ---------------------------------------------------------


def test_the_sign_in_says_it_leads_back_when_sent_there_on_the_way(client, case):
    went_back = "请先登录，登录后会回到您刚才的页面。"
    draft = "您在诉求里已填写的文字会自动填回，照片需要重新选择。"
    to_form = client.get(reverse("portal:case-create"), follow=True).content.decode()
    assert f'<p class="alert alert-info">{went_back}{draft}</p>' in to_form
    to_case = client.get(reverse("portal:case-detail", args=[case.public_id]), follow=True)
    html = to_case.content.decode()
    assert went_back in html and draft not in html
    # Opening the portal itself, or the sign-in page, is no detour: nothing to say.
    for url in [reverse("portal:home"), reverse("portal:login")]:
        html = client.get(url, follow=True).content.decode()
        assert 'name="password"' in html and went_back not in html
    english = _page(client, reverse("portal:login") + "?next=/portal/requests/new/", "en")
    assert "on the page you were on. What you typed into your request comes back" in english


def test_a_sign_in_sent_elsewhere_says_nothing_of_going_back(client, db):
    html = client.get(reverse("portal:login") + "?next=https://example.com/").content.decode()
    assert "请先登录" not in html


# The bare address on a phone -----------------------------------------------------------------


def test_the_bare_address_still_opens_the_staff_sign_in_with_the_workers_way_first(client, db):
    response = client.get("/", follow=True)
    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    html = response.content.decode()
    entry = f'<a class="btn worker-entry d-sm-none mb-3" href="{reverse("portal:login")}">'
    assert entry + "职工请点此登录</a>" in html
    assert html.index(entry) < html.index('<form method="post"')


# A worker on a staff page ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cases:case-list", "core:dashboard", "workers:worker-list"])
def test_a_worker_on_a_staff_page_is_told_in_their_words_and_led_home(worker_client, name):
    response = worker_client.get(reverse(name))
    assert response.status_code == 403
    html = response.content.decode()
    assert "这是工会工作人员使用的页面" in html
    assert "您的诉求、消息和收到的帮扶都在“我的工会”里。" in html
    home = reverse("portal:home")
    assert f'<a class="btn btn-primary btn-block" href="{home}">进入我的工会</a>' in html
    assert "角色" not in html and "管理员" not in html


def test_staff_who_are_also_workers_get_the_staff_refusal(tree, worker, rf):
    Membership.objects.create(
        user=worker.user, organization=tree.union_a, role=Membership.Role.FUND_AUDITOR
    )
    request = rf.get("/funds/payments/")
    request.user = worker.user
    html = permission_denied(request, PermissionDenied()).content.decode()
    assert "此页面不对您开放" in html and "进入我的工会" not in html
