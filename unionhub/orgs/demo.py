"""Demo organisation tree of Huishan district and its staff (``seed_demo``)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from unionhub.orgs.models import Membership, Organization
from unionhub.orgs.services import membership_grant, organization_create

Kind = Organization.Kind
Role = Membership.Role

DISTRICT = ("惠山区总工会", "无锡市惠山区政和大道180号职工服务中心", "0510-83590120")

# Streets, towns and parks, and the guidance stations in them (name, opened on, address, phone).
STREETS: dict[str, tuple[str, list[tuple[str, datetime.date, str, str]]]] = {
    "钱桥街道": (
        "惠山区钱桥街道盛岸西路",
        [
            (
                "钱桥街道舜何社区产改指导站",
                datetime.date(2024, 10, 10),
                "钱桥街道舜何社区党群服务中心二楼",
                "0510-83226801",
            )
        ],
    ),
    "堰桥街道": (
        "惠山区堰桥街道堰新路",
        [("堰桥街道产改指导站", datetime.date(2025, 6, 16), "堰桥街道职工之家", "0510-83386602")],
    ),
    "长安街道": (
        "惠山区长安街道惠山大道",
        [
            (
                "长安街道产改指导站",
                datetime.date(2025, 8, 8),
                "长安街道社区服务中心",
                "0510-83570203",
            )
        ],
    ),
    "前洲街道": ("惠山区前洲街道前洲中路", []),
    "玉祁街道": ("惠山区玉祁街道玉祁路", []),
    "洛社镇": (
        "惠山区洛社镇人民路",
        [("洛社镇产改指导站", datetime.date(2025, 5, 20), "洛社镇职工服务站", "0510-83316604")],
    ),
    "阳山镇": ("惠山区阳山镇阳山路", []),
    "惠山经济开发区": (
        "惠山区惠山经济开发区",
        [
            (
                "惠山科创中心产业园产改指导站",
                datetime.date(2025, 3, 18),
                "惠山科创中心A座一楼",
                "0510-83208805",
            ),
            (
                "惠山生命科技产业园产改指导站",
                datetime.date(2025, 4, 22),
                "惠山生命科技产业园综合楼",
                "0510-83208806",
            ),
        ],
    ),
}

# (username, name, mobile, [(organisation name, role)]); organisation names are unique in the demo.
STAFF = [
    ("hs_admin", "周建华", "13861800101", [("惠山区总工会", Role.DISTRICT_ADMIN)]),
    # The district union's finance officer: records the payments others asked for.
    ("hs_finance", "吴静", "13861800116", [("惠山区总工会", Role.DISTRICT_ADMIN)]),
    ("hs_approver1", "陆文斌", "13861800102", [("惠山区总工会", Role.FUND_APPROVER)]),
    ("hs_approver2", "钱雅琴", "13861800103", [("惠山区总工会", Role.FUND_APPROVER)]),
    ("hs_auditor", "顾明远", "13861800104", [("惠山区总工会", Role.FUND_AUDITOR)]),
    ("qq_admin", "浦志刚", "13861800105", [("钱桥街道", Role.DISTRICT_ADMIN)]),
    ("qq_staff", "蒋丽华", "13861800106", [("钱桥街道舜何社区产改指导站", Role.STATION_STAFF)]),
    ("kc_staff", "华振宇", "13861800107", [("惠山科创中心产业园产改指导站", Role.STATION_STAFF)]),
    ("sm_staff", "邵佳怡", "13861800108", [("惠山生命科技产业园产改指导站", Role.STATION_STAFF)]),
    ("ls_staff", "过海峰", "13861800109", [("洛社镇产改指导站", Role.STATION_STAFF)]),
    ("wd_chair", "尤国平", "13861800110", [("无锡伟达五金有限公司工会", Role.ENTERPRISE_CHAIR)]),
    ("hj_chair", "秦晓燕", "13861800111", [("惠记环保工程有限公司工会", Role.ENTERPRISE_CHAIR)]),
    ("hz_chair", "许建新", "13861800112", [("无锡华锦重工机械集团有限公司工会", Role.ENTERPRISE_CHAIR)]),
    ("hz_approver1", "冯立群", "13861800113", [("无锡华锦重工机械集团有限公司工会", Role.FUND_APPROVER)]),
    ("hz_approver2", "唐美玲", "13861800114", [("无锡华锦重工机械集团有限公司工会", Role.FUND_APPROVER)]),
    ("hz_auditor", "薛文涛", "13861800115", [("无锡华锦重工机械集团有限公司工会", Role.FUND_AUDITOR)]),
]  # fmt: skip


def _get_or_create(actor, *, kind, name, parent=None, **fields) -> Organization:
    existing = Organization.objects.filter(kind=kind, name=name).first()
    if existing:
        return existing
    return organization_create(actor=actor, kind=kind, name=name, parent=parent, **fields)


def seed_tree(ctx) -> None:
    """The district, its streets, towns and parks, and their guidance stations."""
    name, address, phone = DISTRICT
    district = _get_or_create(
        ctx.operator, kind=Kind.DISTRICT, name=name, code="HS", address=address, phone=phone
    )
    ctx.orgs[name] = district
    for street_name, (street_address, stations) in STREETS.items():
        street = _get_or_create(
            ctx.operator,
            kind=Kind.STREET,
            name=street_name,
            parent=district,
            address=street_address,
        )
        ctx.orgs[street_name] = street
        for station_name, opened_on, station_address, station_phone in stations:
            ctx.orgs[station_name] = _get_or_create(
                ctx.operator,
                kind=Kind.STATION,
                name=station_name,
                parent=street,
                opened_on=opened_on,
                address=station_address,
                phone=station_phone,
            )


def seed_staff(ctx) -> None:
    """One staff user per role at several levels (needs the enterprise unions to exist)."""
    User = get_user_model()
    for username, full_name, mobile, grants in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, mobile=mobile)
            user.set_password(ctx.password)
            user.save()
        for org_name, role in grants:
            organization = Organization.objects.get(name=org_name)
            membership_grant(actor=ctx.operator, user=user, organization=organization, role=role)
        ctx.logins.append((str(Role(grants[0][1]).label), username, grants[0][0]))
