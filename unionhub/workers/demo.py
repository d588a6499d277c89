"""Demo workers with families, consents and a handful of sign-ins (``seed_demo``)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from unionhub.enterprises.demo import ENTERPRISES
from unionhub.orgs.models import Organization
from unionhub.workers.models import Consent, FamilyMember, Worker, id_number_hash
from unionhub.workers.services import (
    consent_record,
    family_member_add,
    worker_create,
    worker_enable_login,
)

# Workers without an employer on record here, registered with a station (new forms of employment).
FLEXIBLE = [
    ("钱桥街道舜何社区产改指导站", 12),
    ("长安街道产改指导站", 10),
    ("惠山科创中心产业园产改指导站", 6),
    ("洛社镇产改指导站", 8),
]
# Who gets a sign-in: the first worker of these enterprises (or station, for a rider).
LOGIN_FROM = [
    "无锡伟达五金有限公司",
    "无锡华锦重工机械集团有限公司",
    "惠记环保工程有限公司",
    "无锡智云软件科技有限公司",
    "长安街道产改指导站",
]


def _headcount(employees: int) -> int:
    return min(150, max(3, round(employees * 0.055)))


def _plan() -> list[tuple[str, bool]]:
    """(enterprise or station name, is a station) for every demo worker, in a fixed order."""
    plan = []
    for name, _size, _industry, employees, *_rest in ENTERPRISES:
        plan += [(name, False)] * _headcount(employees)
    for station, count in FLEXIBLE:
        plan += [(station, True)] * count
    return plan


def seed(ctx) -> None:
    today = timezone.localdate()
    rnd = ctx.random
    rng = rnd.rng
    existing = set(Worker.objects.values_list("id_number_hash", flat=True))
    first_of: dict[str, Worker] = {}
    created = 0
    for place, is_station in _plan():
        # Draw every value on every run, so the same people come out whatever exists already.
        gender = "male" if rng.random() < 0.58 else "female"
        name = rnd.name(gender)
        birth = rnd.birth_date(19, 59, today)
        migrant = rng.random() < 0.45
        id_number = rnd.id_number(birth, gender, migrant=migrant)
        mobile = rnd.mobile()
        joined = today - datetime.timedelta(days=rng.randrange(60, 365 * 15))
        member_no = f"HS{joined.year}{rng.randrange(10**5):05d}"
        roll = rng.random()
        hardship = "deep" if roll < 0.015 else "hardship" if roll < 0.065 else "none"
        family = _family_plan(rnd, name, birth, today)
        address = _address(rnd, place)
        reviewed_on = today - datetime.timedelta(days=rng.randrange(30, 300))
        if id_number_hash(id_number) in existing:
            if place not in first_of:
                first_of[place] = Worker.objects.get(id_number_hash=id_number_hash(id_number))
            continue
        enterprise = None if is_station else ctx.enterprises[place]
        organization = Organization.objects.get(name=place) if is_station else None
        worker = worker_create(
            actor=ctx.operator,
            name=name,
            id_number=id_number,
            mobile=mobile,
            enterprise=enterprise,
            organization=organization,
            member_number=member_no,
            joined_on=joined,
            hardship_level=hardship,
            hardship_reviewed_on=reviewed_on if hardship != "none" else None,
            hardship_review_due=(
                reviewed_on + datetime.timedelta(days=365) if hardship != "none" else None
            ),
            address=address,
        )
        for member in family:
            family_member_add(actor=ctx.operator, worker=worker, **member)
        consent_record(
            actor=ctx.operator,
            worker=worker,
            purpose=Consent.Purpose.PERSONAL_DATA,
            granted_at=timezone.make_aware(datetime.datetime.combine(joined, datetime.time(10, 0))),
        )
        if hardship != "none":
            consent_record(
                actor=ctx.operator, worker=worker, purpose=Consent.Purpose.SENSITIVE_DATA
            )
        first_of.setdefault(place, worker)
        created += 1
    for place in LOGIN_FROM:
        worker = first_of[place]
        if worker.user_id is None:
            worker_enable_login(actor=ctx.operator, worker=worker, password=ctx.password)
        label = worker.enterprise.name if worker.enterprise else place
        ctx.worker_logins.append((worker.name, worker.mobile, label))
    _portal_accounts(ctx, rng)
    ctx.report(f"workers: {created} created, {Worker.objects.count()} in all")


def _family_plan(rnd, name: str, birth: datetime.date, today: datetime.date) -> list[dict]:
    rng = rnd.rng
    age = (today - birth).days // 365
    members = []
    if age >= 26 and rng.random() < 0.7:
        spouse_gender = rng.choice(["male", "female"])
        members.append(
            {
                "name": rnd.name(spouse_gender),
                "relation": FamilyMember.Relation.SPOUSE,
                "birth_date": birth + datetime.timedelta(days=rng.randrange(-1500, 1500)),
            }
        )
    if 24 <= age <= 58:
        for _ in range(rng.choice([0, 1, 1, 2])):
            child_age_days = rng.randrange(200, max(201, (age - 22) * 365))
            child_birth = today - datetime.timedelta(days=child_age_days)
            child_age = child_age_days // 365
            members.append(
                {
                    "name": rnd.child_name(name[0], rng.choice(["male", "female"])),
                    "relation": FamilyMember.Relation.CHILD,
                    "birth_date": child_birth,
                    "school": _school(rnd, child_age),
                }
            )
    if age < 35 and rng.random() < 0.2:
        members.append(
            {
                "name": rnd.name(rng.choice(["male", "female"])),
                "relation": FamilyMember.Relation.PARENT,
                "birth_date": birth - datetime.timedelta(days=rng.randrange(22 * 365, 32 * 365)),
                "note": rng.choice(["", "在老家务农", "患慢性病，需要照顾"]),
            }
        )
    return members


def _school(rnd, age: int) -> str:
    from unionhub.core.demo import SCHOOLS_MIDDLE, SCHOOLS_PRIMARY, UNIVERSITIES

    if 6 <= age < 12:
        return rnd.rng.choice(SCHOOLS_PRIMARY)
    if 12 <= age < 18:
        return rnd.rng.choice(SCHOOLS_MIDDLE)
    if 18 <= age < 22:
        return rnd.rng.choice(UNIVERSITIES)
    return ""


def _address(rnd, place: str) -> str:
    communities = [
        "舜何社区",
        "藕塘新村",
        "堰新家园",
        "长安花园",
        "洛社新城",
        "前洲新苑",
        "玉祁人家",
    ]
    return f"无锡市惠山区{rnd.rng.choice(communities)}{rnd.rng.randrange(1, 60)}幢{rnd.rng.randrange(101, 1802)}室"


# About this share of the district's workers use the portal (and so rate the service themselves).
PORTAL_SHARE = 0.35


def _portal_accounts(ctx, rng) -> None:
    """Sign-ins for a share of the workers, as ``worker_enable_login`` gives them, in bulk: the
    demo password is hashed once, not once per worker."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType

    from unionhub.core.models import AuditEntry

    User = get_user_model()
    workers = Worker.objects.filter(erased_at=None)
    wanted = round(workers.count() * PORTAL_SHARE) - workers.exclude(user=None).count()
    if wanted <= 0:  # seeded before: the share is there already
        return
    taken = set(User.objects.exclude(mobile=None).values_list("mobile", flat=True))
    chosen = []
    for worker in workers.filter(user=None).select_related("organization"):
        if len(chosen) < wanted and rng.random() < PORTAL_SHARE and worker.mobile not in taken:
            chosen.append(worker)
            taken.add(worker.mobile)
    password = make_password(ctx.password)
    users = User.objects.bulk_create(
        [
            User(username=f"w-{w.public_id.hex[:12]}", full_name=w.name, mobile=w.mobile,
                 password=password)
            for w in chosen
        ]
    )  # fmt: skip
    for worker, user in zip(chosen, users, strict=True):
        worker.user = user
    Worker.objects.bulk_update(chosen, ["user"], batch_size=500)
    worker_type = ContentType.objects.get_for_model(Worker)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=ctx.operator, action="workers.worker.login_enabled",
                       target_type=worker_type, target_id=str(w.pk), target_label=w.name,
                       organization=w.organization)
            for w in chosen
        ]
    )  # fmt: skip
