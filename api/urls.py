"""/api/: version 1 at /api/v1/, the paths of before v1 as aliases of the same views (until a
later release removes them), the schema, and the documentation (a Swedish page and Swagger UI)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import docs, follow_up, indicators, views
from api.message_views import MESSAGE_VIEWS

app_name = "api"


def _episode_paths(prefix: str) -> list[URLPattern]:
    """The episode paths, named (v1) or not (the aliases: reversing gives v1)."""

    def name(value: str) -> dict[str, Any]:
        return {"name": f"{prefix}{value}"}

    patterns = [
        path("episodes/", views.EpisodeList.as_view(), **name("episode_list")),
        path("episodes/<int:pk>/", views.EpisodeDetail.as_view(), **name("episode_detail")),
        path(
            "episodes/<int:pk>/events/<int:event_id>/acknowledge/",
            views.Acknowledge.as_view(),
            **name("acknowledge"),
        ),
    ]
    for kind, view in MESSAGE_VIEWS.items():
        patterns.append(
            path(f"episodes/<int:pk>/messages/{kind}/", view.as_view(), **name(f"message_{kind}"))
        )
    # Any other kind: 404. Reversing this name with a real kind gives that kind's own path.
    patterns.append(
        path("episodes/<int:pk>/messages/<slug:kind>/", views.not_found, **name("send_message"))
    )
    return patterns


v1: list[URLPattern | URLResolver] = [
    *_episode_paths(""),
    path("episodes/<int:pk>/acknowledge/", views.AcknowledgeAll.as_view(), name="acknowledge_all"),
    path("worklist/", views.Worklist.as_view(), name="worklist"),
    path("patients/lookup/", views.PatientLookup.as_view(), name="patient_lookup"),
    path("liability/", follow_up.Liability.as_view(), name="liability"),
    path("statistics/", follow_up.Statistics.as_view(), name="statistics"),
    path("indicators/", indicators.Indicators.as_view(), name="indicators"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The documentation for people, in Swedish, and Swagger UI (api/docs.py).
    path("docs/", docs.api_docs, name="docs"),
    path("docs/swagger/", docs.SwaggerView.as_view(url_name="api:schema"), name="swagger"),
    *_episode_paths("legacy_"),
    re_path(r"^.*$", views.not_found, name="not_found"),
]
