"""Fixtures of the API tests: system accounts with tokens, and clients that send them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client

from api import tokens
from discharges import services
from discharges.models import Organisation, Role
from tests.conftest import OrgTree, make_user


class ApiClient(Client):
    """A test client that sends JSON and, given a token, ``Authorization: Bearer``."""

    def __init__(self, token: str | None = None, **extra: Any) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        super().__init__(headers=headers, **extra)

    def send(self, url: str, data: Any = None, **headers: str) -> Any:
        return self.post(
            url, data if data is not None else {}, content_type="application/json", headers=headers
        )


@pytest.fixture
def bearer() -> Callable[..., ApiClient]:
    """``bearer(user)``: a client with a new token of ``user``."""

    def make(user: AbstractUser, days: int = 30) -> ApiClient:
        _token, secret = tokens.create_token(user, days=days)  # type: ignore[arg-type]
        return ApiClient(secret)

    return make


def system_account(username: str, organisation: Organisation) -> AbstractUser:
    """A system account of one organisation: the integration role at it."""
    user = make_user(username)
    services.add_membership(user=user, organisation=organisation, role=Role.INTEGRATION)
    return user


@pytest.fixture
def ward_system(org_tree: OrgTree, personas: Any) -> AbstractUser:
    return system_account("ward.system", org_tree.ward)


@pytest.fixture
def kommun_system(org_tree: OrgTree, personas: Any) -> AbstractUser:
    return system_account("umea.system", org_tree.umea)


@pytest.fixture
def hc_system(org_tree: OrgTree, personas: Any) -> AbstractUser:
    return system_account("hc.system", org_tree.hc_umea)


@pytest.fixture
def ward_api(ward_system: AbstractUser, bearer: Callable[..., ApiClient]) -> ApiClient:
    return bearer(ward_system)


@pytest.fixture
def kommun_api(kommun_system: AbstractUser, bearer: Callable[..., ApiClient]) -> ApiClient:
    return bearer(kommun_system)


@pytest.fixture
def hc_api(hc_system: AbstractUser, bearer: Callable[..., ApiClient]) -> ApiClient:
    return bearer(hc_system)
