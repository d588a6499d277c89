"""The service catalogue every deployment starts with, and the trigram index of the queue search."""

from django.db import migrations

from unionhub.core.migration_ops import trigram_index

MONTHLY_FOR_A_YEAR = {"kind": "visit", "day": 30, "every": 30, "until": 365}

# code, 中文, English, respond h, resolve h, emergency, money, plan, order
CATALOGUE = [
    ("emergency_aid", "紧急救助", "Emergency aid", 1, 24, True, True,
     [{"kind": "visit", "day": 1}, {"kind": "call", "day": 7}, MONTHLY_FOR_A_YEAR], 10),
    ("hardship_relief", "困难帮扶", "Hardship relief", 24, 240, False, True,
     [{"kind": "visit", "day": 3}, {"kind": "visit", "day": 90, "every": 90, "until": 365}], 20),
    ("medical_aid", "医疗救助", "Medical aid", 8, 120, False, True,
     [{"kind": "call", "day": 7}, {"kind": "visit", "day": 30}], 30),
    ("scholarship", "金秋助学", "Scholarship", 48, 480, False, True, [{"kind": "call", "day": 30}], 40),
    ("childcare", "子女托育", "Childcare", 24, 168, False, False, [{"kind": "call", "day": 14}], 50),
    ("matchmaking", "青年婚恋", "Youth matchmaking", 48, 720, False, False, [], 60),
    ("job_training", "岗位培训", "Job training", 48, 336, False, False, [{"kind": "call", "day": 30}], 70),
    ("legal_aid", "法律援助", "Legal aid", 24, 360, False, False,
     [{"kind": "call", "day": 14}, {"kind": "call", "day": 60}], 80),
    ("counselling", "心理疏导", "Counselling", 4, 72, False, False,
     [{"kind": "call", "day": 2}, {"kind": "visit", "day": 7},
      {"kind": "call", "day": 21, "every": 14, "until": 91}], 90),
    ("housing", "住房保障", "Housing", 48, 720, False, False, [{"kind": "call", "day": 30}], 100),
    ("homecoming", "返乡专车", "Homecoming transport", 24, 168, False, False, [], 110),
    ("laundry", "免费洗衣", "Free laundry", 24, 72, False, False, [], 120),
    ("other", "其他诉求", "Other", 24, 240, False, False, [{"kind": "call", "day": 14}], 130),
]  # fmt: skip


def add_catalogue(apps, schema_editor):
    ServiceCategory = apps.get_model("cases", "ServiceCategory")
    for code, name, name_en, respond, resolve, emergency, money, plan, order in CATALOGUE:
        ServiceCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "response_sla_hours": respond,
                "resolution_sla_hours": resolve,
                "is_emergency": emergency,
                "allows_payment": money,
                "followup_plan": plan,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunPython(add_catalogue, migrations.RunPython.noop),
        trigram_index("cases_case", "search_text"),
    ]
