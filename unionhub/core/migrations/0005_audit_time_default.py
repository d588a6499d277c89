import django.utils.timezone
from django.db import migrations, models

from unionhub.core.migration_ops import EnsureAppendOnlyTrigger


class Migration(migrations.Migration):
    """The time an entry was written becomes a default rather than auto_now_add, so a history
    (the demo's) can be written at its own times. SQLite rebuilds the table to alter the column:
    the append-only trigger is made sure of on either side."""

    dependencies = [
        ("core", "0004_holiday_calendar_2026"),
    ]

    operations = [
        EnsureAppendOnlyTrigger("core_auditentry"),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="time",
            ),
        ),
        EnsureAppendOnlyTrigger("core_auditentry"),
    ]
