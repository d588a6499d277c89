from django.db import migrations

from unionhub.core.migration_ops import trigram_index


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [trigram_index("enterprises_enterprise", "name")]
