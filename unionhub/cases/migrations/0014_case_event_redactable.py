"""A request's timeline stays append-only, but what was typed on it can be erased when a worker
asks for their personal data to be deleted (PIPL): the update trigger of ``cases_caseevent`` lets
an UPDATE through inside a redaction window (see ``core.models.RedactableQuerySet``)."""

from django.db import migrations

from unionhub.core.migration_ops import RedactableAppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_search_text_pinyin_and_id_tail"),
        ("core", "0006_redaction_window"),
        ("funds", "0002_append_only_triggers"),
    ]

    operations = [
        RedactableAppendOnlyTrigger(
            "cases_caseevent", erasable=["body", "body_translations", "public_params"]
        )
    ]
