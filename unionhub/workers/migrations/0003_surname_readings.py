"""Workers whose surname reads otherwise than its character's everyday reading (曾 zeng, 单 shan,
解 xie, …) get their pinyin key again, so that search and pinyin order find them."""

from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import Q

from unionhub.core.pinyin import SURNAME_READINGS, pinyin_key


def reread_surnames(apps, schema_editor):
    Worker = apps.get_model("workers", "Worker")
    starts = reduce(or_, (Q(name__startswith=ch) for ch in SURNAME_READINGS))
    changed = []
    for worker in Worker.objects.filter(starts).only("pk", "name", "name_pinyin").iterator():
        key = pinyin_key(worker.name, person=True)
        if key != worker.name_pinyin:
            worker.name_pinyin = key
            changed.append(worker)
    Worker.objects.bulk_update(changed, ["name_pinyin"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("workers", "0002_name_trigram_index")]

    operations = [migrations.RunPython(reread_surnames, migrations.RunPython.noop, elidable=True)]
