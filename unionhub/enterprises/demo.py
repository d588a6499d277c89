"""Demo enterprises of Huishan district and their unions (``seed_demo``)."""

from __future__ import annotations

from unionhub.enterprises.models import Enterprise
from unionhub.enterprises.services import enterprise_create
from unionhub.orgs.models import Organization

S = Enterprise.SizeClass
I = Enterprise.Industry  # noqa: E741

QQ = "钱桥街道舜何社区产改指导站"
KC = "惠山科创中心产业园产改指导站"
SM = "惠山生命科技产业园产改指导站"
YQ = "堰桥街道产改指导站"
CA = "长安街道产改指导站"
LS = "洛社镇产改指导站"

# (name, size, industry, employees, street, station or None, has a union, address)
ENTERPRISES = [
    ("无锡伟达五金有限公司", S.SMALL, I.MANUFACTURING, 86, "钱桥街道", QQ, True, "钱桥街道舜柯路18号"),
    ("惠记环保工程有限公司", S.SMALL, I.ENVIRONMENT, 64, "钱桥街道", QQ, True, "钱桥街道华清大道66号"),
    ("无锡华锦重工机械集团有限公司", S.LARGE, I.MANUFACTURING, 2680, "洛社镇", LS, True, "洛社镇华锦路1号"),
    ("无锡钱桥钢管制品有限公司", S.SMALL, I.MANUFACTURING, 120, "钱桥街道", QQ, True, "钱桥街道藕乡路9号"),
    ("无锡舜何包装材料有限公司", S.MICRO, I.MANUFACTURING, 18, "钱桥街道", QQ, False, "钱桥街道舜何路52号"),
    ("无锡盛岸汽车配件有限公司", S.MEDIUM, I.MANUFACTURING, 340, "钱桥街道", QQ, True, "钱桥街道盛岸西路288号"),
    ("无锡晓丰服饰有限公司", S.MICRO, I.MANUFACTURING, 26, "钱桥街道", QQ, False, "钱桥街道晓丰路3号"),
    ("无锡钱桥物流有限公司", S.SMALL, I.LOGISTICS, 75, "钱桥街道", QQ, True, "钱桥街道物流园B区"),
    ("无锡智云软件科技有限公司", S.SMALL, I.IT, 95, "惠山经济开发区", KC, True, "惠山科创中心A座12楼"),
    ("无锡芯途微电子有限公司", S.MEDIUM, I.IT, 260, "惠山经济开发区", KC, True, "惠山科创中心B座"),
    ("无锡数衡信息技术有限公司", S.MICRO, I.IT, 22, "惠山经济开发区", KC, False, "惠山科创中心A座8楼"),
    ("无锡启元智能装备有限公司", S.SMALL, I.MANUFACTURING, 140, "惠山经济开发区", KC, True, "智慧路33号"),
    ("无锡凌拓检测技术有限公司", S.MICRO, I.RESEARCH, 30, "惠山经济开发区", KC, False, "惠山科创中心C座"),
    ("无锡康贝生物医药有限公司", S.MEDIUM, I.BIOMEDICINE, 410, "惠山经济开发区", SM, True, "生命科技产业园5号楼"),
    ("无锡瑞博基因科技有限公司", S.SMALL, I.BIOMEDICINE, 88, "惠山经济开发区", SM, True, "生命科技产业园8号楼"),
    ("无锡安诺医疗器械有限公司", S.SMALL, I.BIOMEDICINE, 132, "惠山经济开发区", SM, True, "生命科技产业园12号楼"),
    ("无锡和润细胞治疗技术有限公司", S.MICRO, I.BIOMEDICINE, 35, "惠山经济开发区", SM, False, "生命科技产业园3号楼"),
    ("无锡泽康医药研发有限公司", S.SMALL, I.RESEARCH, 58, "惠山经济开发区", SM, False, "生命科技产业园9号楼"),
    ("无锡堰桥纺织有限公司", S.MEDIUM, I.MANUFACTURING, 380, "堰桥街道", YQ, True, "堰桥街道堰新路128号"),
    ("无锡天一电缆附件有限公司", S.SMALL, I.MANUFACTURING, 110, "堰桥街道", YQ, True, "堰桥街道天一路6号"),
    ("无锡惠丰餐饮管理有限公司", S.SMALL, I.HOSPITALITY, 70, "堰桥街道", YQ, False, "堰桥街道吾悦广场"),
    ("无锡西漳建筑工程有限公司", S.SMALL, I.CONSTRUCTION, 150, "堰桥街道", YQ, True, "堰桥街道西漳路21号"),
    ("无锡长安精密模具有限公司", S.SMALL, I.MANUFACTURING, 102, "长安街道", CA, True, "长安街道长惠路77号"),
    ("无锡惠山家政服务有限公司", S.MICRO, I.SERVICES, 40, "长安街道", CA, False, "长安街道惠山大道158号"),
    ("无锡长安新材料科技有限公司", S.SMALL, I.MANUFACTURING, 90, "长安街道", CA, True, "长安工业园11号"),
    ("无锡润泽保洁服务有限公司", S.MICRO, I.SERVICES, 48, "长安街道", CA, False, "长安街道仁和路5号"),
    ("无锡洛社特钢有限公司", S.MEDIUM, I.MANUFACTURING, 520, "洛社镇", LS, True, "洛社镇新雅路99号"),
    ("无锡万安电机有限公司", S.SMALL, I.MANUFACTURING, 160, "洛社镇", LS, True, "洛社镇万安路12号"),
    ("无锡洛社印染有限公司", S.SMALL, I.MANUFACTURING, 135, "洛社镇", LS, False, "洛社镇张镇桥路8号"),
    ("无锡石塘湾五金制品有限公司", S.MICRO, I.MANUFACTURING, 24, "洛社镇", LS, False, "洛社镇石塘湾村"),
    ("无锡前洲电缆有限公司", S.MEDIUM, I.MANUFACTURING, 450, "前洲街道", None, True, "前洲街道前洲中路88号"),
    ("无锡前洲塑业有限公司", S.SMALL, I.MANUFACTURING, 82, "前洲街道", None, False, "前洲街道西塘路16号"),
    ("无锡黄石街服饰有限公司", S.MICRO, I.WHOLESALE_RETAIL, 19, "前洲街道", None, False, "前洲街道黄石街"),
    ("无锡玉祁酿造有限公司", S.SMALL, I.MANUFACTURING, 115, "玉祁街道", None, True, "玉祁街道酒厂路2号"),
    ("无锡玉祁电子元件有限公司", S.SMALL, I.MANUFACTURING, 128, "玉祁街道", None, False, "玉祁街道工业园"),
    ("无锡礼舍农产品有限公司", S.MICRO, I.WHOLESALE_RETAIL, 15, "玉祁街道", None, False, "玉祁街道礼舍村"),
    ("无锡阳山桃园农业发展有限公司", S.SMALL, I.OTHER, 60, "阳山镇", None, True, "阳山镇桃源村"),
    ("无锡阳山乡村旅游有限公司", S.MICRO, I.HOSPITALITY, 28, "阳山镇", None, False, "阳山镇阳山路200号"),
    ("无锡大成建设工程有限公司", S.MEDIUM, I.CONSTRUCTION, 300, "阳山镇", None, True, "阳山镇工业集中区"),
    ("无锡惠达快递服务有限公司", S.SMALL, I.LOGISTICS, 90, "长安街道", CA, True, "长安街道物流中心"),
    ("无锡嘉禾护理院有限公司", S.SMALL, I.HEALTH, 85, "钱桥街道", QQ, True, "钱桥街道胡埭路36号"),
    ("无锡惠山冷链物流有限公司", S.SMALL, I.LOGISTICS, 66, "惠山经济开发区", None, False, "惠山经济开发区堰新路"),
    ("无锡明德精密齿轮有限公司", S.SMALL, I.MANUFACTURING, 118, "洛社镇", LS, True, "洛社镇明德路7号"),
    ("无锡新湖电梯部件有限公司", S.SMALL, I.MANUFACTURING, 96, "堰桥街道", YQ, False, "堰桥街道新湖路15号"),
]  # fmt: skip

CONTACTS = ["马经理", "陈主任", "朱经理", "黄主席", "吴经理", "杨主任"]


def seed(ctx) -> None:
    existing = {e.name: e for e in Enterprise.objects.all()}
    for index, (name, size, industry, employees, street, station, union, address) in enumerate(
        ENTERPRISES
    ):
        code = ctx.random.credit_code()  # drawn every time, so the codes do not shift
        contact_phone = ctx.random.mobile()
        if name in existing:
            ctx.enterprises[name] = existing[name]
            continue
        ctx.enterprises[name] = enterprise_create(
            actor=ctx.operator,
            name=name,
            credit_code=code,
            size_class=size,
            industry=industry,
            employees=employees,
            street=Organization.objects.get(kind=Organization.Kind.STREET, name=street),
            station=(
                Organization.objects.get(kind=Organization.Kind.STATION, name=station)
                if station
                else None
            ),
            address=f"无锡市惠山区{address}",
            contact_name=CONTACTS[index % len(CONTACTS)],
            contact_phone=contact_phone,
            union_name=f"{name}工会" if union else "",
        )
