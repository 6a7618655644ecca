from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from discharges.signals import event_recorded
        from webhooks import hooks

        event_recorded.connect(hooks.on_event_recorded, dispatch_uid="webhooks.on_event_recorded")
