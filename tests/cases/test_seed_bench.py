"""The benchmark's seeding command, small: it writes the rows it says (COPY on PostgreSQL, bulk
inserts elsewhere), every model column included, and tops up rather than duplicating."""

from io import StringIO

from django.core.management import call_command

from unionhub.cases.models import Case, CaseEvent
from unionhub.workers.models import Worker


def test_seed_bench_cases_writes_what_it_says_and_tops_up(
    transactional_db, django_db_serialized_rollback
):
    # Serialized rollback: its closing flush leaves the migrations' rows (content types among
    # them) to be restored, not recreated, so a following test that restores them finds no twin.
    out = StringIO()
    call_command("seed_bench_cases", "--cases", "300", "--workers", "60", "--batch", "100",
                 stdout=out)  # fmt: skip
    assert Case.objects.count() == 300
    assert Worker.objects.count() >= 60
    assert CaseEvent.objects.count() >= 300
    first = Case.objects.order_by("id").first()
    # The columns the command does not name get the model's defaults, as the ORM would write.
    assert first.reporter_name == "" and first.occurred_at is None
    assert all(isinstance(e.body_translations, dict) for e in CaseEvent.objects.all()[:50])
    assert len({c.reference for c in Case.objects.all()}) == 300
    call_command("seed_bench_cases", "--cases", "300", "--workers", "60", stdout=StringIO())
    assert Case.objects.count() == 300
