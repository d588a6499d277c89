"""The queue's search column gains the worker's name in pinyin and initials (``wangxiaoming wxm``)
and the last four of the ID number.

The requests are rewritten in batches of ``BATCH`` by id, each in its own transaction, so that a
district with a million requests is not locked for the whole update (the migration is not atomic:
run again, it simply writes the same text)."""

from django.db import migrations, models, transaction
from django.db.models import F, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Lower

BATCH = 10_000


def refresh_search_text(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Worker = apps.get_model("workers", "Worker")
    worker = Worker.objects.filter(pk=OuterRef("worker_id"))
    pinyin = Subquery(worker.values("name_pinyin")[:1])
    id_tail = Subquery(worker.values("id_tail")[:1])
    # The same words in the same order as services._search_text.
    text = Lower(
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
    bounds = Case.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return
    for start in range(bounds["first"], bounds["last"] + 1, BATCH):
        with transaction.atomic():
            Case.objects.filter(pk__gte=start, pk__lt=start + BATCH).update(search_text=text)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0012_message_from_the_worker"),
        ("workers", "0003_surname_readings"),
    ]

    operations = [
        migrations.RunPython(refresh_search_text, migrations.RunPython.noop, elidable=True)
    ]
