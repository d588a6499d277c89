from django.db import migrations

from unionhub.core.migration_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [AppendOnlyTrigger("core_auditentry")]
