"""``Authorization: Bearer TOKEN`` for system accounts (api.tokens); a token acts with its
user's memberships. An unknown, expired or revoked token, or one of an inactive user, is 401."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api import tokens


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as Authorization: Bearer TOKEN.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("The token is unknown, expired or revoked.")
            ) from exc
        token = tokens.find_token(secret)
        if token is None or not token.is_valid() or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        tokens.touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="SVU"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (securitySchemes)."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "svu_… (python manage.py api_token create)",
        }
