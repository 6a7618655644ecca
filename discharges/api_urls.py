from django.urls import path

from discharges import api
from discharges.views.api_docs import api_docs

app_name = "api"
urlpatterns = [
    # The documentation for people, in Swedish (discharges/views/api_docs.py).
    path("docs/", api_docs, name="docs"),
    path("episodes/", api.EpisodeList.as_view(), name="episode_list"),
    path("episodes/<int:pk>/", api.EpisodeDetail.as_view(), name="episode_detail"),
    path("episodes/<int:pk>/messages/<slug:kind>/", api.SendMessage.as_view(), name="send_message"),
    path(
        "episodes/<int:pk>/events/<int:event_id>/acknowledge/",
        api.Acknowledge.as_view(),
        name="acknowledge",
    ),
]
