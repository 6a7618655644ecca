from django.urls import path

from payment import views

app_name = "payment"
urlpatterns = [
    path("", views.liability, name="liability"),
    path("<slug:name>/export.csv", views.export, name="export"),
    path("<slug:name>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path(
        "<slug:name>/<str:kommun>/<str:care_type>/<str:month>/",
        views.month_detail,
        name="month",
    ),
]
