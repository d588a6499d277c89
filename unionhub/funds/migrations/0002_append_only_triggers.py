from django.db import migrations

from unionhub.core.migration_ops import AppendOnlyTrigger


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial"), ("cases", "0003_case_money_reached_at")]

    operations = [
        AppendOnlyTrigger("funds_ledgerentry"),
        AppendOnlyTrigger("funds_approval"),
        AppendOnlyTrigger("cases_caseevent"),
    ]
