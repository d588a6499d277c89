from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "unionhub.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from unionhub.core.audit import register_actions

        register_actions(
            {
                "orgs.organization.created": _("added the organisation"),
                "orgs.organization.updated": _("changed the organisation"),
                "orgs.membership.granted": _("granted a role"),
                "orgs.membership.revoked": _("revoked a role"),
            }
        )
