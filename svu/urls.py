from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from svu import sessions, two_factor, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/keepalive/", sessions.keepalive, name="session_keepalive"),
    path("account/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("account/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("start/", views.start, name="start"),
    path("favicon.ico", views.favicon),
    # The language menu (templates/base.html): Swedish unless the user chooses (svu/language.py).
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The API for systems (api/urls.py): /api/v1/, its schema and documentation.
    path("api/", include("api.urls")),
    path("follow-up/", include("analysis.urls")),
    path("liability/", include("payment.urls")),
    path("deviations/", include("deviations.urls")),
    path("", include("discharges.urls")),
]
