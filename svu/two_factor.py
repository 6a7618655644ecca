"""A second factor (TOTP, django-otp) at login (issue 13, point 1).

Optional for everyone, required for staff (the admin's users) unless SVU_REQUIRE_STAFF_OTP is
off: after the password, a user with a confirmed authenticator is asked for its six digits
before any page; a staff user without one sets one up first (the secret as text and as a QR
code). A lost phone: the system administrator deletes the user's TOTP device in the admin.
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

# Paths a signed-in user reaches before the second factor (besides the two-factor pages).
OPEN_PATHS = ("/login/", "/logout/", "/session/", "/i18n/", "/static/")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _needs(request: HttpRequest) -> str | None:
    """Where a signed-in user must go first: "verify", "setup" or None (nothing missing)."""
    user = request.user
    # is_verified: set on the user by django_otp.middleware.OTPMiddleware.
    if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
        return None
    if user_has_device(user):
        return "verify"
    if user.is_staff and settings.SVU_REQUIRE_STAFF_OTP:
        return "setup"
    return None


class TwoFactorMiddleware:
    """Sends a signed-in user who still owes the second factor to its page (the API answers
    403). Place after django_otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/account/two-factor/") or path.startswith(OPEN_PATHS):
            return self.get_response(request)
        needed = _needs(request)
        if needed is None:
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse({"detail": _("A second factor is required.")}, status=403)
        target = reverse(f"two_factor_{needed}")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("start")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The six digits after the password (a user with a confirmed authenticator)."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"].strip()):
                otp_login(request, device)
                return HttpResponseRedirect(_next(request))
        form.add_error("token", _("Wrong or expired code."))
    context = {"form": form, "next": _next(request)}
    return render(request, "registration/two_factor_verify.html", context)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: show the secret, confirm it with a first code."""
    user: Any = request.user
    if user_has_device(user) and not user.is_verified():  # replacing one needs the old one
        return HttpResponseRedirect(
            f"{reverse('two_factor_verify')}?{urlencode({'next': _next(request)})}"
        )
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "SVU"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        form.add_error("token", _("Wrong or expired code."))
    context = {
        "form": form,
        "next": _next(request),
        "secret": b32encode(device.bin_key).decode(),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
        "replacing": user_has_device(user),
    }
    return render(request, "registration/two_factor_setup.html", context)
