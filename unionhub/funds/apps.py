from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "unionhub.funds"
    label = "funds"
    verbose_name = _("Aid funds")

    def ready(self) -> None:
        from unionhub.core.audit import register_actions, register_details
        from unionhub.core.timeline import register_source
        from unionhub.funds.timeline import payments

        register_source(payments)
        register_actions(
            {
                "funds.donation.recorded": _("booked a donation"),
                "funds.disbursement.requested": _("asked for a payment"),
                "funds.disbursement.approved": _("approved a payment"),
                "funds.disbursement.rejected": _("rejected a payment"),
                "funds.disbursement.paid": _("paid"),
                "funds.disbursement.advanced": _("paid an emergency advance"),
                "funds.disbursement.ratified": _("ratified an emergency advance"),
                "funds.disbursement.advance_escalated": _("escalated an unratified advance"),
                "funds.disbursement.ratification_refused": _(
                    "refused to ratify an emergency advance"
                ),
                "funds.disbursement.cancelled": _("cancelled a payment"),
                "funds.entry.reversed": _("reversed a ledger entry"),
                "funds.transfer.posted": _("transferred between funds"),
                "funds.period.closed": _("closed the books"),
                "funds.beneficiaries.names_revealed": _(
                    "exported the beneficiaries with their full names"
                ),
                "funds.disclosure.published": _("published a disclosure"),
                "funds.disclosure.withdrawn": _("took a disclosure down"),
                "funds.disclosure.objection": _("recorded an objection"),
                "funds.objection.handled": _("answered an objection"),
                "funds.audit.opened": _("opened a fund review"),
                "funds.audit.check_corrected": _("corrected a review's check of a payment"),
                "funds.audit.evidence_added": _("added an evidence file to a fund review"),
                "funds.audit.closed": _("closed a fund review"),
                "funds.audit.finding_rectified": _("recorded a review finding's rectification"),
            }
        )
        register_details(
            "funds.period.closed",
            {
                "through": (_("Books closed through"), str),
                "previous": (_("Closed through before"), str),
            },
        )
