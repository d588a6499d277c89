from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "unionhub.workers"
    label = "workers"
    verbose_name = _("Workers")

    def ready(self) -> None:
        from unionhub.core.audit import register_actions

        register_actions(
            {
                "workers.worker.created": _("registered the worker"),
                "workers.worker.updated": _("changed the worker's record"),
                "workers.worker.id_revealed": _("viewed the full ID number"),
                "workers.worker.erased": _("deleted the worker's personal data at their request"),
                "workers.worker.login_enabled": _("enabled mobile sign-in"),
                "workers.worker.password_set": _("gave the worker a new password"),
                "workers.worker.moved_with_enterprise": _("moved the enterprise's workers with it"),
                "workers.family.added": _("added a family member"),
                "workers.family.updated": _("changed a family member"),
                "workers.family.removed": _("removed a family member"),
                "workers.consent.granted": _("recorded a consent"),
                "workers.consent.withdrawn": _("recorded a consent's withdrawal"),
            }
        )
