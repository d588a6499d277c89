from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "unionhub.cases"
    label = "cases"
    verbose_name = _("Worker requests")

    def ready(self) -> None:
        from unionhub.cases.models import Case, describe_plan
        from unionhub.cases.timeline import case_events
        from unionhub.core.audit import (
            register_actions,
            register_field_display,
            register_value_labels,
        )
        from unionhub.core.timeline import register_source

        register_source(case_events)
        register_value_labels("cases.case.", dict(Case.Status.choices))
        register_field_display("cases.servicecategory", "followup_plan", describe_plan)

        register_actions(
            {
                "cases.case.submitted": _("opened the request"),
                "cases.case.accept": _("accepted the request"),
                "cases.case.start": _("started work on the request"),
                "cases.case.assign": _("assigned the request"),
                "cases.case.refer": _("referred the request"),
                "cases.case.send_back": _("sent the request back"),
                "cases.case.resolve": _("resolved the request"),
                "cases.case.close": _("closed the request"),
                "cases.case.reject": _("rejected the request"),
                "cases.case.withdraw": _("withdrew the request"),
                "cases.case.reopen": _("reopened the request"),
                "cases.category.updated": _("changed a service category"),
            }
        )
