"""The queue's search column gains the worker's name in pinyin and initials (``wangxiaoming wxm``)
and the last four of the ID number."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Lower


def refresh_search_text(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Worker = apps.get_model("workers", "Worker")
    worker = Worker.objects.filter(pk=OuterRef("worker_id"))
    pinyin = Subquery(worker.values("name_pinyin")[:1])
    id_tail = Subquery(worker.values("id_tail")[:1])
    # One UPDATE for every request: the same words in the same order as services._search_text.
    Case.objects.update(
        search_text=Lower(
            Concat(
                F("reference"),
                Value(" "),
                F("worker_name"),
                Value(" "),
                Coalesce(pinyin, Value(""), output_field=models.TextField()),
                Value(" "),
                F("worker_mobile_tail"),
                Value(" "),
                Coalesce(id_tail, Value(""), output_field=models.TextField()),
                Value(" "),
                F("summary"),
                Value(" "),
                F("description"),
                output_field=models.TextField(),
            )
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_message_from_the_worker"),
        ("workers", "0003_surname_readings"),
    ]

    operations = [migrations.RunPython(refresh_search_text, migrations.RunPython.noop, elidable=True)]
