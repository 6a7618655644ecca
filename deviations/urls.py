from django.urls import path

from deviations import views

app_name = "deviations"
urlpatterns = [
    path("", views.deviation_list, name="list"),
    path("episode/<int:episode_id>/new/", views.file_view, name="file"),
    path("<int:pk>/answer/", views.answer_view, name="answer"),
]
