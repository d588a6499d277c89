"""The audit log stays append-only, but what an entry says about a person (its target's name and
the values in its data) can be erased when that person asks for their personal data to be
deleted (PIPL): the update trigger of ``core_auditentry`` lets such an UPDATE through inside a
redaction window (see ``core.models.RedactableQuerySet``)."""

from django.db import migrations

from unionhub.core.migration_ops import RedactableAppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("core", "0006_redaction_window")]

    operations = [RedactableAppendOnlyTrigger("core_auditentry", erasable=["target_label", "data"])]
