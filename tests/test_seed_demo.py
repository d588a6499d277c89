"""`seed_demo` loads a realistic Huishan district and can run again without duplicating it."""

from io import StringIO

from django.core.management import call_command

from unionhub.core.access import access_for
from unionhub.enterprises.models import Enterprise
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.models import FamilyMember, Worker


def test_seed_demo_builds_the_district_and_is_idempotent(db):
    out = StringIO()
    call_command("seed_demo", "--allow-production", stdout=out)
    counts = (
        Organization.objects.count(),
        Enterprise.objects.count(),
        Worker.objects.count(),
        FamilyMember.objects.count(),
        Membership.objects.count(),
    )
    assert Enterprise.objects.count() >= 40
    assert Worker.objects.count() >= 500
    assert FamilyMember.objects.count() >= 300
    district = Organization.objects.get(kind="district")
    assert district.name == "惠山区总工会"
    for name in ("钱桥街道", "堰桥街道", "长安街道", "洛社镇"):
        assert Organization.objects.filter(kind="street", name=name).exists()
    station = Organization.objects.get(name="钱桥街道舜何社区产改指导站")
    assert station.opened_on.isoformat() == "2024-10-10"
    assert Organization.objects.filter(name__contains="惠山科创中心产业园").exists()
    assert Organization.objects.filter(name__contains="惠山生命科技产业园").exists()
    for name in ("无锡伟达五金有限公司", "惠记环保工程有限公司"):
        assert Enterprise.objects.get(name=name).union is not None
    assert Enterprise.objects.filter(size_class="large").exists()
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
    assert Worker.objects.filter(user__isnull=False).count() >= 5
    assert "hs_admin" in out.getvalue() and "Huishan@2026" in out.getvalue()
    # The fire: a workmate phoned about it, 22:00 on a December night.
    from django.utils import timezone

    from unionhub.cases.models import Case

    fire = Case.objects.get(summary="家中突发火灾，全家被困，急需救助")
    assert (fire.reporter_name, fire.reporter_relation) == ("周国强", "同班组工友")
    assert timezone.localtime(fire.occurred_at).strftime("%H:%M") == "22:00"
    assert "反映人：周国强" in fire.events.order_by("created_at", "id").first().body
    # Its papers: the hospital's receipt and the village's certificate, shown to the worker, and
    # the application for the district's grant that went with the referral, for staff only.
    # Each a real PDF, on the timeline at the time it was added.
    from unionhub.cases.services import Upload, check_upload

    files = {a.original_name: a for a in fire.attachments.all()}
    assert set(files) == {"住院押金收据.pdf", "火灾情况证明.pdf", "大额救助申请表.pdf"}
    shown = {name for name, a in files.items() if a.visible_to_worker}
    assert shown == {"住院押金收据.pdf", "火灾情况证明.pdf"}
    receipt = files["住院押金收据.pdf"]
    with receipt.file.open("rb") as handle:
        content = handle.read()
    assert check_upload(Upload(name=receipt.original_name, content=content))[0] == "pdf"
    assert "住院押金收据.pdf" not in receipt.file.name  # stored under a random name
    line = fire.events.get(kind="attachment", data__attachment=receipt.pk)
    assert line.created_at == receipt.uploaded_at and line.public_message
    staff_only = fire.events.get(data__attachment=files["大额救助申请表.pdf"].pk)
    assert not staff_only.public_message
    # Only a worker rates, from their own phone: the fire's worker too, who was given a sign-in.
    from unionhub.cases.models import CaseEvent

    ratings = CaseEvent.objects.filter(kind="rating").select_related("case__worker")
    assert ratings.count() > 100
    assert all(event.actor_id == event.case.worker.user_id for event in ratings)
    assert fire.worker.user is not None and fire.rating == 5
    # The audit log tells the fire payment's story at the times it happened, in yuan.
    from unionhub.core.models import AuditEntry
    from unionhub.funds.models import Disbursement

    big = Disbursement.objects.get(case=fire, amount=300000)
    trail = AuditEntry.objects.filter(target_id=str(big.pk), action__startswith="funds.disb")
    steps = [
        (e.action, e.actor.username, timezone.localtime(e.created_at).strftime("%m-%d %H:%M"))
        for e in trail.order_by("created_at", "id")
    ]
    assert steps == [
        ("funds.disbursement.requested", "hz_chair", "12-08 23:35"),
        ("funds.disbursement.approved", "hz_approver1", "12-08 23:58"),
        ("funds.disbursement.approved", "hz_approver2", "12-09 00:06"),
        ("funds.disbursement.paid", "hz_chair", "12-09 10:30"),
    ]
    assert ("金额", "¥300,000.00") in trail.get(action="funds.disbursement.paid").detail_rows
    # ... and the request's: reported, accepted, worked on, each by whom the timeline says.
    case_trail = AuditEntry.objects.filter(target_id=str(fire.pk), action__startswith="cases.")
    moves = [(e.action, e.actor.username) for e in case_trail.order_by("created_at", "id")]
    assert moves[:3] == [
        ("cases.case.submitted", "hz_chair"),
        ("cases.case.accept", "hz_chair"),
        ("cases.case.start", "hz_chair"),
    ]
    status_events = fire.events.filter(kind__in=["submitted", "status"]).count()
    assert case_trail.count() == status_events
    assert AuditEntry.objects.filter(action="cases.case.close").count() > 100

    # This morning's bank return: reversed through the service, and every fund still balances.
    from unionhub.funds.models import Fund, LedgerEntry
    from unionhub.funds.services import verify

    returned = Disbursement.objects.get(status="reversed")
    assert returned.method == "bank_transfer" and returned.case.urgency == "normal"
    reversal = LedgerEntry.objects.get(kind="reversal")
    assert reversal.disbursement == returned and reversal.memo.startswith("银行退票")
    assert all(verify(fund) == [] for fund in Fund.objects.all())

    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    call_command("seed_demo", "--allow-production", stdout=StringIO())
    assert get_user_model().objects.count() == users  # no more sign-ins the second time
    assert counts == (
        Organization.objects.count(),
        Enterprise.objects.count(),
        Worker.objects.count(),
        FamilyMember.objects.count(),
        Membership.objects.count(),
    )
    # A station's staff see their station's part of the demo, not the district's.
    from django.contrib.auth import get_user_model

    qq_staff = get_user_model().objects.get(username="qq_staff")
    assert access_for(qq_staff).paths() == [station.path]
    assert 0 < Worker.objects.visible_to(qq_staff).count() < Worker.objects.count()


def test_seed_demo_refuses_a_production_database(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
