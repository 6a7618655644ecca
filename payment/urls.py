from django.urls import path

from payment import basis_views, views

app_name = "payment"
urlpatterns = [
    path("", views.liability, name="liability"),
    path("<slug:name>/export.csv", views.export, name="export"),
    path("<slug:name>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    # The signed invoice basis of a kommun-month (before the month pages: same depth).
    path("basis/<slug:name>/<str:kommun>/<str:month>/", basis_views.basis_page, name="basis"),
    path(
        "basis/<slug:name>/<str:kommun>/<str:month>/propose/",
        basis_views.propose_view,
        name="basis_propose",
    ),
    path(
        "basis/<slug:name>/<str:kommun>/<str:month>/dispute/",
        basis_views.dispute_view,
        name="basis_dispute",
    ),
    path(
        "basis/<slug:name>/<str:kommun>/<str:month>/answer/",
        basis_views.answer_view,
        name="basis_answer",
    ),
    path(
        "basis/<slug:name>/<str:kommun>/<str:month>/sign/", basis_views.sign_view, name="basis_sign"
    ),
    path(
        "basis/<slug:name>/<str:kommun>/<str:month>/basis.pdf",
        basis_views.download_view,
        {"fmt": "pdf"},
        name="basis_pdf",
    ),
    path(
        "basis/<slug:name>/<str:kommun>/<str:month>/basis.xlsx",
        basis_views.download_view,
        {"fmt": "xlsx"},
        name="basis_xlsx",
    ),
    path(
        "<slug:name>/<str:kommun>/<str:care_type>/<str:month>/",
        views.month_detail,
        name="month",
    ),
]
