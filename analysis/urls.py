from django.urls import include, path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("analyses/", include("analysis.analyses.urls")),
]
