"""Demo requests (``seed_demo``): about 2,000 requests over the past year, with timelines, visits
and ratings, and the night a worker's home burned.

The history is written directly (the services stamp "now"; a year of history needs its own
times), following the same state machine: each request's events, deadlines and follow-ups are
what the services would have produced on those dates.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhub.cases.models import Case, CaseEvent, CaseSequence, FollowUp, ServiceCategory
from unionhub.cases.services import (
    PUBLIC_MESSAGES,
    TRANSITIONS,
    Upload,
    _intake_note,
    _json_params,
    _plan_dates,
    _search_text,
    _store_attachment,
    _warn_at,
    case_refer,
    check_upload,
)
from unionhub.core.demo import pdf_document
from unionhub.core.i18n import system_line
from unionhub.core.models import AuditEntry
from unionhub.orgs.models import Membership, Organization
from unionhub.workers.models import FamilyMember, Worker
from unionhub.workers.services import worker_enable_login

Status = Case.Status
Kind = CaseEvent.Kind
DEMO_NAMESPACE = uuid.UUID("5d3b8a54-6a0e-4c57-8b38-3f5c1b9e2a77")
DEMO_CASES = 2000
# The action a change of status was, as ``services._move`` names it in the audit log (back in
# progress is "start" or "reopen", told apart by where it came from).
ACTION_TO = {to: action for action, (_from, to) in TRANSITIONS.items() if to != Status.IN_PROGRESS}

# category code → (weight, [(summary, details)], [resolutions])
TEXTS: dict[str, tuple[int, list[tuple[str, str]], list[str]]] = {
    "emergency_aid": (2, [
        ("工伤事故住院，家庭陷入困境", "在车间作业时左手被压伤，已在惠山区人民医院手术，家中只有妻子照顾，医药费垫付困难。"),
        ("突发重病住院，急需救助", "夜班后突发脑出血被送医抢救，目前在重症监护室，家属无力承担押金。"),
        ("遭遇车祸，急需医疗费用", "下班途中骑电动车被撞，肇事方未垫付，住院押金两万元无法筹措。"),
    ], ["已送去临时救助金并协调医院先治疗后结算。", "工会主席到医院探望，送去慰问金，联系企业预支工资。"]),
    "hardship_relief": (20, [
        ("配偶患病长期治疗，生活困难", "妻子患尿毒症每周透析三次，家中两个孩子上学，月收入四千余元。"),
        ("单亲家庭，子女上学负担重", "离异后独自抚养女儿，房租每月一千二，孩子初三，希望得到帮扶。"),
        ("父母年迈多病，家庭开支大", "父母均在老家务农，父亲去年中风，每月需要寄回医药费。"),
        ("收入低，申请困难职工帮扶", "企业订单减少后每月到手不足三千元，家中有残疾兄弟需要照顾。"),
    ], ["已建立困难职工档案，发放生活救助金，纳入季度走访。", "协调企业调整岗位增加收入，并发放节日慰问品。", "核实后列入帮扶名单，按月发放补助。"]),
    "medical_aid": (12, [
        ("住院医疗费用自付部分较高", "因腰椎间盘突出手术住院12天，医保报销后自付一万三千余元。"),
        ("慢性病长期服药负担重", "患糖尿病和高血压，每月药费八百元，希望申请医疗互助。"),
        ("子女重病住院，申请医疗救助", "儿子患白血病在苏州儿童医院治疗，已花费二十余万元。"),
    ], ["已按职工医疗互助办法申报，补助款将打入工资卡。", "发放医疗救助金，并指导办理大病保险二次报销。"]),
    "scholarship": (8, [
        ("子女考上大学，申请金秋助学", "女儿今年被江南大学录取，学费和住宿费共七千元，家里拿不出来。"),
        ("孩子录取本科，学费有困难", "儿子考上南京工业大学，父母都在厂里上班，另有老人需要赡养。"),
        ("子女就读高职，申请助学", "孩子在无锡职业技术学院读书，申请助学金减轻负担。"),
    ], ["已纳入金秋助学名单，助学金开学前发放。", "审核通过，发放助学金并推荐企业暑期实习岗位。"]),
    "childcare": (8, [
        ("暑期子女托管需求", "夫妻都在流水线上倒班，暑假孩子一个人在家，希望报名爱心托管班。"),
        ("孩子放学无人照看", "小孩读二年级，下午三点半放学，希望站点有课后托管。"),
    ], ["已安排进入指导站爱心托管班。", "对接社区四点半课堂，孩子已入班。"]),
    "matchmaking": (5, [
        ("希望参加青年联谊活动", "28岁，在园区上班，平时接触面窄，想报名工会组织的联谊活动。"),
        ("报名单身青年交友活动", "看到指导站海报，想报名周末的青年交友活动。"),
    ], ["已报名本月青年联谊活动。", "已登记信息，活动前电话通知。"]),
    "job_training": (8, [
        ("希望参加数控技能培训", "目前做普工，想学数控车床操作，提升技能等级。"),
        ("想学习人工智能办公课程", "听说站里有免费的人工智能课，想报名学习用AI写材料。"),
        ("申请电工证培训补贴", "准备考低压电工证，想了解工会培训补贴。"),
    ], ["已报名岗位培训班，结业后可申请补贴。", "已加入送课进企的人工智能课程名单。"]),
    "legal_aid": (10, [
        ("被拖欠三个月工资", "所在小作坊老板拖欠三个月工资共一万八千元，多次催要无果。"),
        ("工伤认定遇到困难", "上班途中摔伤，企业不配合出具材料，不知道怎么申请工伤认定。"),
        ("加班费计算有争议", "每天工作十一小时，企业只按八小时计算工资，想咨询维权办法。"),
    ], ["工会法律顾问介入调解，企业已补发工资。", "指导准备工伤认定材料，已向人社部门提交。", "提供法律咨询并协助申请劳动仲裁。"]),
    "counselling": (8, [
        ("工作压力大，情绪低落", "连续加班两个月，最近睡不好，对工作提不起劲。"),
        ("家庭矛盾影响工作，需要心理疏导", "和家人关系紧张，上班时常走神，担心出安全事故。"),
    ], ["心理咨询师完成三次疏导，情绪明显好转。", "转介专业心理咨询机构，工会跟进回访。"]),
    "housing": (5, [
        ("申请公租房", "一家三口租住在城中村，想了解公租房申请条件。"),
        ("咨询人才公寓", "刚入职的技术员，想申请园区人才公寓。"),
    ], ["已指导提交公租房申请材料。", "协调园区人才公寓，已安排入住。"]),
    "homecoming": (6, [
        ("春节返乡专车报名", "老家在安徽临泉，春节想带孩子一起坐工会返乡专车。"),
        ("申请返乡车票补贴", "老家在四川，想申请春节返乡车票补贴。"),
    ], ["已报名返乡专车，出发前一天短信通知上车地点。", "车票补贴已登记，节后凭票报销。"]),
    "laundry": (3, [
        ("宿舍洗衣困难，申请免费洗衣服务", "宿舍没有洗衣机，工作服油污大，希望使用工会免费洗衣点。"),
    ], ["已办理免费洗衣卡。"]),
    "other": (5, [
        ("建议食堂增加夜班餐", "夜班工人凌晨只能吃泡面，建议食堂增加夜宵。"),
        ("咨询工会会员权益", "刚入会，想了解会员能享受哪些服务。"),
        ("反映宿舍热水供应问题", "宿舍热水晚上十点后就停了，夜班下班无法洗澡。"),
    ], ["已与企业沟通，食堂增设夜班餐。", "已详细介绍会员权益并赠送服务手册。", "企业已调整热水供应时间。"]),
}  # fmt: skip
CHANNELS = [("phone", 30), ("walk_in", 25), ("mobile", 25), ("enterprise", 15), ("visit", 5)]
VISIT_NOTES = [
    "上门探望，了解近况，职工情绪稳定。",
    "到家中走访，家属表示困难有所缓解。",
    "到车间看望，与班组长沟通照顾安排。",
    "带着慰问品上门，陪孩子聊了聊学习情况。",
]
CALL_NOTES = [
    "电话回访，职工表示问题已解决，感谢工会。",
    "电话联系，了解康复进展，提醒按时复查。",
    "电话了解近况，职工表示生活已逐步恢复。",
]
COUNSELLING = ["进行心理疏导，鼓励积极面对。", "讲解帮扶政策，帮助树立信心。", ""]
# Why a planned visit or call was not made.
NOT_MADE = ["职工回老家探亲，本月未能上门。", "职工在外地住院，改由家属电话告知近况。",
            "多次电话未接通，已请班组长转告。", "职工婉拒本次探望，表示生活已稳定。"]  # fmt: skip
CHECK_BACKS = {
    "held": "职工说已正常上班，家里情况稳定，谢谢工会。",
    "relapsed": "职工说旧伤复发又请了病假，收入减少，家里开支紧张，已请承办组织跟进。",
    "unreachable": "上午、下午各打一次电话均未接通，已请班组长转告回电。",
}
RATING_COMMENTS = ["工会办事快，很贴心。", "感谢工会的帮助！", "态度很好，就是等得有点久。", "", ""]


@dataclass
class History:
    """One request's past, built in memory and saved with bulk inserts."""

    case: Case
    events: list[CaseEvent] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    # (time, who, file name, content, shown to the worker): stored once the request is saved
    files: list[tuple] = field(default_factory=list)

    def attach(self, at, actor, name: str, content: bytes, *, visible: bool) -> None:
        self.files.append((at, actor, name, content, visible))

    def event(self, at, kind, actor, *, body="", public="", params=None, frm="", to=""):
        """``body`` as typed, or a callable writing a system line (kept in every language)."""
        self.events.append(
            CaseEvent(
                case=self.case,
                kind=kind,
                created_at=at,
                actor=actor,
                **(system_line(body) if callable(body) else {"body": body}),
                public_message=public,
                public_params=_json_params(params) if public else {},
                from_status=frm,
                to_status=to,
            )
        )

    def move(self, at, actor, to, *, body="", params=None):
        frm = self.case.status
        self.case.status = to
        self.event(at, Kind.STATUS, actor, body=body, public=PUBLIC_MESSAGES[to], params=params,
                   frm=frm, to=to)  # fmt: skip


def _fill(event: CaseEvent, placeholder: str, value: str) -> None:
    event.body = event.body.replace(placeholder, value)
    if event.body_translations:
        event.body_translations = {
            language: text.replace(placeholder, value)
            for language, text in event.body_translations.items()
        }


class CaseSeeder:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.rng = ctx.random.rng
        self.now = timezone.now()
        self.categories = {c.code: c for c in ServiceCategory.objects.all()}
        self.district = Organization.objects.get(kind=Organization.Kind.DISTRICT)
        self.handlers = self._handlers()
        self.numbers: dict[int, int] = {}

    def _handlers(self) -> list[tuple[str, object]]:
        """(organisation path, user) for everyone who handles requests."""
        roles = [
            Membership.Role.DISTRICT_ADMIN,
            Membership.Role.STATION_STAFF,
            Membership.Role.ENTERPRISE_CHAIR,
        ]
        memberships = Membership.objects.filter(role__in=roles).select_related(
            "user", "organization"
        )
        return [(m.organization.path, m.user) for m in memberships]

    def handler_for(self, path: str):
        """The nearest staff member above the owning organisation (the enterprise chair first)."""
        candidates = [(p, u) for p, u in self.handlers if path.startswith(p)]
        candidates.sort(key=lambda item: len(item[0]), reverse=True)
        return candidates[0][1]

    def number(self, histories: list[History]) -> None:
        """Reference numbers in the order the requests came in, per year, as the sequence would
        have handed them out."""
        for history in sorted(histories, key=lambda h: h.case.submitted_at):
            case = history.case
            year = timezone.localtime(case.submitted_at).year
            self.numbers[year] = self.numbers.get(year, 0) + 1
            case.reference = f"{self.district.code}-{year}-{self.numbers[year]:06d}"
            case.search_text = _search_text(
                case.reference, case.worker, case.summary, case.description
            )
        # A part referred on names its request, and the request names the part, in every
        # language its lines were written in.
        parts = {id(h.case.parent): h.case for h in histories if h.case.parent is not None}
        for history in histories:
            case, part = history.case, parts.get(id(history.case))
            for event in history.events:
                if case.parent is not None:
                    _fill(event, "{parent}", case.parent.reference)
                if part is not None:
                    _fill(event, "{part}", part.reference)

    def new_case(self, *, worker, category, at, channel, summary, description, created_by, owner=None,
                 urgency=None, key) -> History:  # fmt: skip
        owner = owner or worker.organization
        reference = ""  # numbered in submission order once all are built
        case = Case(
            public_id=uuid.uuid5(DEMO_NAMESPACE, f"public-{key}"),
            reference=reference,
            district=self.district,
            worker=worker,
            category=category,
            channel=channel,
            urgency=urgency or (Case.Urgency.EMERGENCY if category.is_emergency else "normal"),
            summary=summary,
            description=description,
            organization=owner,
            owner_path=owner.path,
            submitted_at=at,
            response_due_at=at + datetime.timedelta(hours=category.response_sla_hours),
            resolution_due_at=at + datetime.timedelta(hours=category.resolution_sla_hours),
            created_by=created_by,
            submission_key=uuid.uuid5(DEMO_NAMESPACE, key),
            worker_name=worker.name,
            worker_mobile_tail=worker.mobile_tail,
            search_text="",
        )
        case.sla_due_at = case.response_due_at
        case.sla_warn_at = _warn_at(at, case.response_due_at)
        history = History(case)
        history.event(at, Kind.SUBMITTED, created_by if channel != "mobile" else worker.user,
                      body=lambda: _intake_note(case), public=PUBLIC_MESSAGES[Status.SUBMITTED],
                      to=Status.SUBMITTED)  # fmt: skip
        return history

    def accept(self, history: History, at, actor) -> None:
        case = history.case
        history.move(at, actor, Status.ACCEPTED)
        case.accepted_at = at
        case.assignee = actor
        if at > case.response_due_at:
            case.response_breached_at = case.response_due_at
        case.sla_due_at = case.resolution_due_at
        case.sla_warn_at = _warn_at(at, case.resolution_due_at)
        history.event(
            at, Kind.ASSIGNED, actor,
            body=lambda: _("Assigned to %(name)s.") % {"name": actor.get_full_name()},
        )  # fmt: skip
        if case.parent is not None:
            return  # a part referred from another request: visited under that one
        for kind, due in _plan_dates(case.category.followup_plan, timezone.localtime(at).date()):
            history.followups.append(FollowUp(case=case, kind=kind, due_on=due, from_plan=True))

    def work_followups(self, history: History, actor, *, until: datetime.datetime) -> None:
        """Log the plan's contacts that fell due before ``until`` (a few are missed)."""
        for followup in history.followups:
            due = timezone.make_aware(datetime.datetime.combine(followup.due_on, datetime.time(15)))
            if due >= until:
                continue
            if self.rng.random() < 0.08:
                followup.status = FollowUp.Status.MISSED
                followup.summary = self.rng.choice(NOT_MADE)
                followup.done_by = actor
                followup.done_at = due
                continue
            notes = VISIT_NOTES if followup.kind == FollowUp.Kind.VISIT else CALL_NOTES
            note = self.rng.choice(notes)
            followup.status = FollowUp.Status.DONE
            followup.done_at = due + datetime.timedelta(hours=self.rng.randrange(0, 4))
            followup.done_by = actor
            followup.summary = note
            followup.counselling = self.rng.choice(COUNSELLING)
            kind = Kind.VISIT if followup.kind == FollowUp.Kind.VISIT else Kind.CALL
            public = PUBLIC_MESSAGES["visited" if kind == Kind.VISIT else "called"]
            history.event(followup.done_at, kind, actor, body=note, public=public)

    def resolve(self, history: History, at, actor, text) -> None:
        case = history.case
        history.move(at, actor, Status.RESOLVED, body=text)
        case.resolution_summary = text
        case.resolved_at = at
        if at > case.resolution_due_at:
            case.resolution_breached_at = case.resolution_due_at
        case.sla_due_at = case.sla_warn_at = None

    def close(self, history: History, at, actor) -> None:
        history.move(at, actor, Status.CLOSED)
        history.case.closed_at = at
        due = timezone.localtime(at).date() + datetime.timedelta(days=21)
        check = FollowUp(
            case=history.case, kind=FollowUp.Kind.CHECK_BACK, due_on=due, from_plan=True
        )
        if timezone.make_aware(datetime.datetime.combine(due, datetime.time(10))) < self.now:
            check.status = FollowUp.Status.DONE
            check.outcome = self.rng.choice(["held"] * 8 + ["relapsed", "unreachable"])
            check.summary = CHECK_BACKS[check.outcome]
            check.done_at = timezone.make_aware(datetime.datetime.combine(due, datetime.time(10)))
            check.done_by = actor
            # As followup_check_back writes it: the outcome, then what the worker said.
            history.event(
                check.done_at, Kind.FOLLOWUP, actor,
                body=lambda: f"{check.get_outcome_display()}: {check.summary}",
                public=PUBLIC_MESSAGES["checked_back"],
            )  # fmt: skip
        history.followups.append(check)

    def rate(self, history: History, at, worker_user) -> None:
        rating = self.rng.choice([5, 5, 5, 5, 4, 4, 4, 3, 2])
        history.case.rating = rating
        history.case.rating_comment = self.rng.choice(RATING_COMMENTS)
        history.case.rated_at = at
        history.event(at, Kind.RATING, worker_user, body=history.case.rating_comment,
                      public=PUBLIC_MESSAGES["rated"], params={"rating": rating})  # fmt: skip

    def save(self, histories: list[History]) -> None:
        # Parents first: a referred part points at the request it came from.
        Case.objects.bulk_create(
            [h.case for h in histories if h.case.parent is None], batch_size=500
        )
        Case.objects.bulk_create([h.case for h in histories if h.case.parent is not None])
        for history in histories:
            for at, actor, name, content, visible in history.files:
                self.store_file(history, at, actor, name, content, visible=visible)
        CaseEvent.objects.bulk_create([e for h in histories for e in h.events], batch_size=2000)
        FollowUp.objects.bulk_create([f for h in histories for f in h.followups], batch_size=2000)
        AuditEntry.objects.bulk_create(self.trail(histories), batch_size=2000)

    def store_file(self, history: History, at, actor, name, content, *, visible) -> None:
        """Keep a file as ``attachment_add`` does (checked by content, stored under a random
        name, its line on the timeline), at the time it was added."""
        upload = Upload(name=name, content=content)
        kind, content_type, digest = check_upload(upload)
        _store_attachment(
            history.case, actor, upload, kind, content_type, digest, visible=visible, at=at
        )

    def trail(self, histories: list[History]) -> list[AuditEntry]:
        """The audit lines intake and each change of status would have written, at their times."""
        case_type = ContentType.objects.get_for_model(Case)
        rows = []
        for history in histories:
            case = history.case
            for event in history.events:
                if event.kind == Kind.SUBMITTED:
                    action = "cases.case.submitted"
                    data = {"reference": case.reference, "category": case.category.code,
                            "urgency": case.urgency}  # fmt: skip
                    if case.parent is not None:
                        data = {"reference": case.reference, "parent": case.parent.reference}
                elif event.kind == Kind.STATUS:
                    verb = ACTION_TO.get(event.to_status)
                    if verb is None:  # back in progress: started, or reopened once resolved
                        done = event.from_status in (Status.RESOLVED, Status.CLOSED)
                        verb = "reopen" if done else "start"
                    action = f"cases.case.{verb}"
                    data = {"from": event.from_status, "to": event.to_status}
                else:
                    continue
                rows.append(AuditEntry(
                    created_at=event.created_at, actor=event.actor, action=action,
                    target_type=case_type, target_id=str(case.pk), target_label=str(case)[:200],
                    organization=case.organization, data=data,
                ))  # fmt: skip
        return rows

    def finish(self) -> None:
        for year, number in self.numbers.items():
            sequence, _created = CaseSequence.objects.get_or_create(
                district=self.district, year=year
            )
            sequence.last_number = max(sequence.last_number, number)
            sequence.save(update_fields=["last_number"])


def _hours(rng, low: float, high: float, sla: int) -> datetime.timedelta:
    return datetime.timedelta(hours=sla * (low + (high - low) * rng.random()))


def seed(ctx) -> None:
    if Case.objects.filter(submission_key=uuid.uuid5(DEMO_NAMESPACE, "case-0")).exists():
        ctx.report(f"cases: already there ({Case.objects.count()})")
        return
    seeder = CaseSeeder(ctx)
    if Case.objects.filter(district=seeder.district).exists():
        # Requests entered by hand before the demo: number after them.
        for year, last in CaseSequence.objects.filter(district=seeder.district).values_list(
            "year", "last_number"
        ):
            seeder.numbers[year] = last
    rng = seeder.rng
    workers = list(Worker.objects.select_related("organization", "user").order_by("id"))
    User = get_user_model()
    fire_histories = _fire(seeder, workers, User)
    weights = [(code, weight) for code, (weight, _t, _r) in TEXTS.items()]
    codes = [code for code, w in weights for _ in range(w)]
    channels = [c for c, w in CHANNELS for _ in range(w)]
    plans = []
    for i in range(DEMO_CASES):
        # Newer requests are more frequent: more people know the service every month.
        age_days = int(365 * (rng.random() ** 1.4))
        at = seeder.now - datetime.timedelta(days=age_days, hours=rng.randrange(0, 24),
                                             minutes=rng.randrange(0, 60))  # fmt: skip
        plans.append((at, i))
    plans.sort()
    histories = []
    for at, i in plans:
        code = rng.choice(codes)
        if code == "emergency_aid" and rng.random() < 0.5:
            code = "hardship_relief"
        category = seeder.categories[code]
        _weight, texts, resolutions = TEXTS[code]
        summary, details = rng.choice(texts)
        worker = rng.choice(workers)
        channel = rng.choice(channels)
        if channel == "mobile" and worker.user is None:
            channel = "phone"
        handler = seeder.handler_for(worker.organization.path)
        created_by = worker.user if channel == "mobile" else handler
        history = seeder.new_case(
            worker=worker, category=category, at=at, channel=channel, summary=summary,
            description=details, created_by=created_by, key=f"case-{i}",
        )  # fmt: skip
        _play(seeder, history, handler, resolutions, worker)
        histories.append(history)
    everything = fire_histories + histories
    seeder.number(everything)
    seeder.save(everything)
    seeder.finish()
    _referred_on(seeder)
    ctx.report(f"cases: {Case.objects.count()} with {CaseEvent.objects.count()} timeline entries")


def _referred_on(seeder: CaseSeeder) -> None:
    """Today the enterprise union of 华锦重工 hands its newest open request, which it cannot
    settle in the house, to the district union as a whole; it follows it under "Referred on"."""
    union = Organization.objects.get(name="无锡华锦重工机械集团有限公司工会")
    case = (
        Case.objects.filter(owner_path=union.path, status__in=["submitted", "accepted"])
        .order_by("-submitted_at")
        .first()
    )
    if case is not None:
        case_refer(
            actor=get_user_model().objects.get(username="hz_chair"), case=case,
            organization=seeder.district,
            reason="情况涉及多个部门，企业工会协调未果，请区总工会统筹处理。",
        )  # fmt: skip


def _play(seeder: CaseSeeder, history: History, handler, resolutions, worker) -> None:
    """Move a request through the states it would have reached by now."""
    rng, now, case = seeder.rng, seeder.now, history.case
    category = case.category
    age = now - case.submitted_at
    roll = rng.random()
    if roll < 0.03 and worker.user and case.submitted_at + datetime.timedelta(hours=2) < now:
        history.move(case.submitted_at + datetime.timedelta(hours=2), worker.user,
                     Status.WITHDRAWN, body="职工表示问题已自行解决。")  # fmt: skip
        case.sla_due_at = case.sla_warn_at = None
        return
    accept_at = case.submitted_at + _hours(rng, 0.05, 1.3, category.response_sla_hours)
    if accept_at > now:
        return  # still waiting to be accepted
    if roll < 0.07:
        history.move(accept_at, handler, Status.REJECTED,
                     body="经核实不符合帮扶条件，已电话说明并告知其他渠道。",
                     params={"reason": "经核实不符合帮扶条件，已电话说明"})  # fmt: skip
        case.reject_reason = "经核实不符合帮扶条件，已电话说明。"
        case.sla_due_at = case.sla_warn_at = None
        return
    seeder.accept(history, accept_at, handler)
    start_at = accept_at + datetime.timedelta(minutes=rng.randrange(10, 600))
    if start_at > now:
        return
    history.move(start_at, handler, Status.IN_PROGRESS)
    if rng.random() < 0.4:
        history.event(start_at + datetime.timedelta(hours=1), Kind.NOTE, handler,
                      body=rng.choice(["已联系企业人事核实情况。", "材料齐全，待审核。", "职工情绪激动，需重点关注。"]))  # fmt: skip
    resolve_at = accept_at + _hours(rng, 0.2, 1.25, category.resolution_sla_hours)
    seeder.work_followups(
        history, handler, until=min(now, resolve_at + datetime.timedelta(days=400))
    )
    if resolve_at > now or (age.days < 20 and rng.random() < 0.3):
        return
    seeder.resolve(history, resolve_at, handler, rng.choice(resolutions))
    if worker.user and rng.random() < 0.8:  # only a worker rates, from their phone
        rated_at = resolve_at + datetime.timedelta(hours=rng.randrange(2, 72))
        seeder.rate(history, rated_at, worker.user)
    close_at = resolve_at + datetime.timedelta(days=rng.randrange(3, 10))
    if close_at < now and rng.random() < 0.85:
        seeder.close(history, close_at, handler)


def _fire(seeder: CaseSeeder, workers, User) -> list[History]:
    """At 22:00 a worker's home burns. A colleague phones the enterprise union; the chair accepts
    within minutes, visits the hospital, refers part to the district union for a larger grant;
    then a visit every month for a year until the worker is back at work."""
    union = Organization.objects.get(name="无锡华锦重工机械集团有限公司工会")
    worker = next(w for w in workers if w.organization_id == union.pk and w.user_id is None)
    chair = User.objects.get(username="hz_chair")
    district_admin = User.objects.get(username="hs_admin")
    # He follows his request and rates it on his phone: the chair set up his sign-in.
    worker_enable_login(actor=chair, worker=worker, password=seeder.ctx.password)
    # The household the requests speak of: his wife and two children, the younger at primary
    # school, the elder at a vocational college (the scholarship request the next autumn).
    FamilyMember.objects.filter(worker=worker).delete()
    surname = worker.name[0]
    Relation = FamilyMember.Relation
    FamilyMember.objects.bulk_create([
        FamilyMember(worker=worker, name="陆雪芬", relation=Relation.SPOUSE,
                     birth_date=datetime.date(1978, 3, 21), note="在洛社镇一家超市做收银"),
        FamilyMember(worker=worker, name=f"{surname}宇航", relation=Relation.CHILD,
                     birth_date=datetime.date(2006, 5, 8), school="无锡职业技术学院"),
        FamilyMember(worker=worker, name=f"{surname}娜倩", relation=Relation.CHILD,
                     birth_date=datetime.date(2018, 12, 30), school="惠山区阳山中心小学"),
    ])  # fmt: skip
    seeder.ctx.worker_logins.append((worker.name, worker.mobile, f"{union.name}（火灾求助）"))
    category = seeder.categories["emergency_aid"]
    night = timezone.make_aware(datetime.datetime(2025, 12, 8, 22, 0))
    h = seeder.new_case(
        worker=worker, category=category, at=night + datetime.timedelta(minutes=12),
        channel="phone", created_by=chair, key="fire",
        summary="家中突发火灾，全家被困，急需救助",
        description=(
            f"同班组工友来电：{worker.name}家（洛社镇）晚上十点左右发生火灾，本人为救孩子被烧伤，"
            "已送惠山区人民医院，爱人和两个孩子暂住亲戚家，家中财物基本烧毁。"
        ),
    )  # fmt: skip
    h.case.reporter_name, h.case.reporter_relation = "周国强", "同班组工友"
    h.case.reporter_phone, h.case.occurred_at = "13961708852", night
    first = system_line(lambda: _intake_note(h.case))
    h.events[0].body, h.events[0].body_translations = first["body"], first["body_translations"]
    seeder.accept(h, night + datetime.timedelta(minutes=21), chair)
    h.move(night + datetime.timedelta(minutes=25), chair, Status.IN_PROGRESS)
    h.event(night + datetime.timedelta(minutes=80), Kind.VISIT, chair,
            body="赶到医院探望，垫付押金两万元，联系企业安排工友轮流陪护；孩子转学事宜对接街道。",
            public=PUBLIC_MESSAGES["visited"])  # fmt: skip
    h.attach(night + datetime.timedelta(minutes=86), chair, "住院押金收据.pdf", pdf_document(
        "惠山区人民医院住院押金收据", [
            f"患者姓名：{worker.name}　　科室：烧伤整形科　　住院号：ZY2025120856",
            f"交款单位：{union.name}",
            "金额（大写）：人民币贰万元整　　（小写）：￥20,000.00",
            "收款方式：现金　　收款员：0317",
            "收款时间：2025-12-08 23:24",
        ]), visible=True)  # fmt: skip
    h.attach(night + datetime.timedelta(hours=17), chair, "火灾情况证明.pdf", pdf_document(
        "情况证明", [
            f"兹证明我村村民{worker.name}家住房于2025年12月8日22时许发生火灾，",
            "房屋及室内家具、家电、衣物等财物基本烧毁，本人在抢救子女时被烧伤，",
            "现住惠山区人民医院治疗，爱人和两个孩子暂住亲戚家，生活十分困难。",
            "特此证明。",
            "",
            "洛社镇双庙村村民委员会（盖章）",
            "2025年12月9日",
        ]), visible=True)  # fmt: skip
    # The application for the district's grant goes with the referral, for staff only.
    h.attach(night + datetime.timedelta(minutes=112), chair, "大额救助申请表.pdf", pdf_document(
        "惠山区困难职工大额救助申请表", [
            f"申请人：{worker.name}　　工作单位：无锡华锦重工机械集团有限公司",
            "家庭人口：4人　　家庭月收入：约7,800元",
            "申请事由：2025年12月8日晚家中失火，本人烧伤住院，住房及财物基本烧毁。",
            "企业工会已先行救助：垫付住院押金20,000元，",
            "　　另从员工扶助基金申请救助300,000元。",
            "申请区总工会困难职工帮扶资金：50,000元",
            "",
            "企业工会意见：情况属实，同意申请。　　经办人：（签字）",
            "2025年12月8日",
        ]), visible=False)  # fmt: skip
    child = seeder.new_case(
        worker=worker, category=category, at=night + datetime.timedelta(minutes=115),
        channel="referral", created_by=chair, owner=seeder.district, key="fire-district",
        summary="火灾受灾职工申请大额救助", urgency=Case.Urgency.EMERGENCY,
        description="企业工会已先行救助，申请区总工会困难职工帮扶资金及员工扶助基金共同救助。",
    )  # fmt: skip
    child.case.parent = h.case
    # The part carries who reported it, as ``case_refer_part`` writes it.
    child.case.reporter_name, child.case.reporter_relation = "周国强", "同班组工友"
    child.case.reporter_phone, child.case.occurred_at = "13961708852", night
    # The lines the referral writes (``case_refer_part``), the references filled in once numbered.
    asked = "申请区总工会困难职工帮扶资金50,000元。"
    first = system_line(lambda: _("Referred from %(reference)s by %(organization)s: %(reason)s")
                        % {"reference": "{parent}", "organization": union, "reason": asked})  # fmt: skip
    child.events[0].body, child.events[0].body_translations = (
        first["body"],
        first["body_translations"],
    )
    h.event(night + datetime.timedelta(minutes=115), Kind.REFERRAL, chair,
            body=lambda: _(
                "Part referred to %(organization)s as %(reference)s (%(summary)s): %(reason)s"
            ) % {"organization": seeder.district, "reference": "{part}",
                 "summary": child.case.summary, "reason": asked},
            public=PUBLIC_MESSAGES["part_referred"], params={"organization": seeder.district.name})  # fmt: skip
    morning = night + datetime.timedelta(hours=10, minutes=30)
    seeder.accept(child, morning, district_admin)
    # Resolved once the district's grant is paid (16:00, funds/demo.py).
    seeder.resolve(child, morning + datetime.timedelta(hours=8), district_admin,
                   "区总工会批准困难帮扶资金，联合企业员工扶助基金共同救助。")  # fmt: skip
    seeder.resolve(h, night + datetime.timedelta(hours=13), chair,
                   "工会主席将创始人捐款、员工募捐和员工扶助基金共30万元送到医院，解决治疗费用。")  # fmt: skip
    h.event(night + datetime.timedelta(hours=13, minutes=10), Kind.NOTE, chair,
            body="后续：每月上门探望一次，关注康复和孩子心理，直到返岗。")  # fmt: skip
    seeder.work_followups(h, chair, until=seeder.now)
    back_at_work = timezone.make_aware(datetime.datetime(2026, 9, 15, 9, 0))
    h.event(back_at_work, Kind.NOTE, chair, body="职工康复良好，今日返岗，安排到辅助岗位过渡。")
    seeder.close(h, back_at_work + datetime.timedelta(days=1), chair)
    h.case.rating, h.case.rating_comment = 5, "工会就像家人一样，一年来一直陪着我们。"
    h.case.rated_at = back_at_work + datetime.timedelta(days=2)
    h.event(h.case.rated_at, Kind.RATING, worker.user, body=h.case.rating_comment,
            public=PUBLIC_MESSAGES["rated"], params={"rating": 5})  # fmt: skip
    return [h, child]
