from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "unionhub.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self) -> None:
        from unionhub.core.audit import register_actions

        register_actions(
            {
                "enterprises.enterprise.created": _("registered the enterprise"),
                "enterprises.enterprise.updated": _("changed the enterprise's record"),
            }
        )
