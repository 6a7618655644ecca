from django.urls import include, path

from analysis import vantetider_view, views

app_name = "analysis"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.<str:fmt>", views.export, name="export"),
    path("kommun/<str:code>/", views.kommun, name="kommun"),
    path(
        "kommun/<str:code>/export/<slug:table>.<str:fmt>",
        views.kommun_export,
        name="kommun_export",
    ),
    path("analyses/", include("analysis.analyses.urls")),
    path("vantetider/<str:region>.csv", vantetider_view.download, name="vantetider"),
]
