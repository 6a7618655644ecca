from django.urls import path

from discharges import views

app_name = "discharges"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("worklist/rows/", views.worklist_rows, name="worklist_rows"),
    path("episodes/", views.episode_list, name="episode_list"),
    path("episodes/find/", views.find_by_personnummer, name="find"),
    path("episodes/new/", views.register_episode, name="register"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:pk>/messages/<slug:kind>/", views.send_message, name="send_message"),
    path(
        "episodes/<int:pk>/events/<int:event_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path("episodes/<int:pk>/acknowledge-all/", views.acknowledge_all, name="acknowledge_all"),
    path("episodes/<int:pk>/consent/<slug:action>/", views.consent, name="consent"),
    path("episodes/<int:pk>/patient/", views.patient_identity, name="patient_identity"),
]
