from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Follow-up and analysis")

    def ready(self) -> None:
        from analysis import overview_cache

        overview_cache.connect()
