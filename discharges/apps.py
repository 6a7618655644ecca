from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DischargesConfig(AppConfig):
    name = "discharges"
    verbose_name = _("Discharge coordination")

    def ready(self) -> None:
        from discharges import db  # noqa: F401 (connects the loaders of out-of-range dates)
