from decimal import Decimal

from django.db import migrations, models

import unionhub.core.money


def tiers_of_each_amount(apps, schema_editor):
    """Payments asked for before: the number of approvers their own amount needed (as before);
    an advance, the two who ratify it."""
    Disbursement = apps.get_model("funds", "Disbursement")
    for disbursement in Disbursement.objects.select_related("fund").iterator():
        needed = 2  # an advance is ratified by two approvers (funds.services.RATIFICATIONS_NEEDED)
        for tier in [] if disbursement.is_advance else disbursement.fund.approval_tiers or []:
            limit = tier.get("up_to")
            if limit is None or disbursement.amount <= Decimal(str(limit)):
                needed = int(tier.get("approvers", 1))
                break
        Disbursement.objects.filter(pk=disbursement.pk).update(
            approvals_required=needed, combined_amount=disbursement.amount
        )


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0003_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="disbursement",
            name="approvals_required",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="approvals needed"),
        ),
        migrations.AddField(
            model_name="disbursement",
            name="combined_amount",
            field=unionhub.core.money.MoneyField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                verbose_name="amount the approval tier was chosen by",
            ),
        ),
        migrations.RunPython(tiers_of_each_amount, migrations.RunPython.noop),
    ]
