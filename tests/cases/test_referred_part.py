"""A part of a request referred to another organisation keeps its context there: who reported
it, the photos and papers of the request it came from, what was asked; and the organisation that
referred it hears how it went."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.cases.test_attachments import PDF, png_bytes
from tests.conftest import staff
from unionhub.cases import services
from unionhub.notifications.models import Notification
from unionhub.orgs.models import Membership


@pytest.fixture
def fire(tree, officer, submit, emergency):
    """A workmate's night call, with photos, accepted by station A's officer."""
    case = submit(
        category=emergency,
        summary="家中突发火灾",
        reporter=services.Reporter(name="张伟", relation="同事", phone="13961708852"),
    )
    services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="火灾现场.png", content=png_bytes())
    )
    services.attachment_add(
        actor=officer, case=case, upload=services.Upload(name="押金收据.pdf", content=PDF),
        visible_to_worker=True,
    )  # fmt: skip
    return services.case_accept(actor=officer, case=case)


@pytest.fixture
def part(tree, officer, fire):
    return services.case_refer_part(
        actor=officer, case=fire, organization=tree.district,
        summary="申请区总工会大额困难救助金", reason="企业已先行救助，需区总工会资金",
    )  # fmt: skip


def test_the_part_carries_who_reported_it_and_shows_the_requests_files(
    tree, fire, part, district_admin, login
):
    assert (part.reporter_name, part.reporter_relation, part.reporter_phone) == (
        "张伟", "同事", "13961708852",
    )  # fmt: skip
    page = login(district_admin).get(reverse("cases:case-detail", args=[part.public_id]))
    html = page.content.decode()
    assert "张伟（同事）" in html and 'href="tel:13961708852"' in html
    assert [a.original_name for a in page.context["parent_attachments"]] == [
        "火灾现场.png", "押金收据.pdf",
    ]  # fmt: skip
    assert f"来自{fire.reference}（本部分事项转办自该诉求）" in html
    for attachment in fire.attachments.all():
        url = reverse("cases:attachment-download", args=[part.public_id, attachment.public_id])
        assert f'href="{url}"' in html
        response = login(district_admin).get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_only_the_files_of_the_request_it_came_from_open_through_the_part(
    tree, fire, part, submit, officer, outsider, district_admin, login
):
    photo = fire.attachments.get(original_name="火灾现场.png")
    another = submit(summary="另一件诉求")
    elsewhere = services.attachment_add(
        actor=officer, case=another, upload=services.Upload(name="别的.pdf", content=PDF)
    )
    client = login(district_admin)
    url = reverse("cases:attachment-download", args=[part.public_id, elsewhere.public_id])
    assert client.get(url).status_code == 404
    # The other way round: the request's page does not open the part's files, nor does anyone
    # who may not see the part open the request's files through it.
    own = services.attachment_add(
        actor=district_admin, case=part, upload=services.Upload(name="审批表.pdf", content=PDF)
    )
    assert (
        login(officer)
        .get(reverse("cases:attachment-download", args=[fire.public_id, own.public_id]))
        .status_code
        == 404
    )
    through_part = reverse("cases:attachment-download", args=[part.public_id, photo.public_id])
    assert login(officer).get(through_part).status_code == 404
    assert login(outsider).get(through_part).status_code == 404


def test_a_part_referred_before_it_carried_the_reporter_shows_the_requests(
    tree, fire, part, district_admin, login
):
    type(part).objects.filter(pk=part.pk).update(
        reporter_name="", reporter_relation="", reporter_phone=""
    )
    viewer = staff(tree.district, Membership.Role.FUND_AUDITOR)
    html = login(district_admin).get(reverse("cases:case-detail", args=[part.public_id]))
    assert "张伟（同事）" in html.content.decode()
    masked = login(viewer).get(reverse("cases:case-detail", args=[part.public_id]))
    assert "139****8852" in masked.content.decode()
    assert "13961708852" not in masked.content.decode()


def test_the_requests_timeline_says_what_part_was_referred(tree, fire, part):
    line = fire.events.get(kind="referral")
    with translation.override("zh-hans"):
        assert line.body_text == (
            f"部分事项（申请区总工会大额困难救助金）已转办至惠山区总工会（诉求编号{part.reference}）"
            "：企业已先行救助，需区总工会资金"
        )
    with translation.override("en"):
        assert line.body_text == (
            f"Part referred to 惠山区总工会 as {part.reference} (申请区总工会大额困难救助金): "
            "企业已先行救助，需区总工会资金"
        )


def test_whoever_handles_the_request_hears_when_its_part_is_accepted_and_resolved(
    tree, fire, part, officer, district_admin
):
    services.case_accept(actor=district_admin, case=part)
    services.case_resolve(actor=district_admin, case=part, resolution="已发放大额救助金5万元")
    told = list(
        Notification.objects.filter(recipient=officer, kind__startswith="case_part_").order_by("id")
    )
    assert [n.kind for n in told] == ["case_part_accepted", "case_part_resolved"]
    assert told[0].title == (
        f"惠山区总工会已受理诉求{fire.reference}转办的部分事项{part.reference}：申请区总工会大额困难救助金"
    )
    assert told[1].title.startswith(f"惠山区总工会已办结诉求{fire.reference}转办的部分事项")
    assert told[1].body == "办理结果：已发放大额救助金5万元"
    assert {n.url for n in told} == {reverse("cases:case-detail", args=[fire.public_id])}
    assert not Notification.objects.filter(
        recipient=district_admin, kind__startswith="case_part_"
    ).exists()


def test_with_nobody_assigned_the_owners_leads_hear_that_the_part_was_turned_down(
    tree, fire, part, officer, district_admin
):
    type(fire).objects.filter(pk=fire.pk).update(assignee=None)
    chair = staff(tree.union_a, Membership.Role.ENTERPRISE_CHAIR, full_name="许建新")
    services.case_reject(actor=district_admin, case=part, reason="不符合大额救助条件")
    told = Notification.objects.get(recipient=chair, kind="case_part_rejected")
    assert told.body == "理由：不符合大额救助条件"
    assert not Notification.objects.filter(recipient=officer, kind="case_part_rejected").exists()
