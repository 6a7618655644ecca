"""Typing for the edges: a request behind ``login_required`` has a signed-in user."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.request import Request


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required`` (for the type checker only)."""

    user: User


def signed_in(request: HttpRequest) -> User:
    """The user of an admin view (the admin site lets only signed-in staff in)."""
    return cast(User, request.user)


def api_user(request: Request) -> User:
    """The caller of an API view whose permission classes require a signed-in user."""
    return cast(User, request.user)
