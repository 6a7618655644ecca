"""The webhooks in the admin, in Swedish: a subscription's secret shown once, the address
checked, an organisation's subscriptions and deliveries seen and managed only by its own
admins, and the delivery log read-only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser, Permission
from django.test import Client
from django.urls import reverse

from discharges import services
from discharges.models import AccessLogEntry, Kommun, Role
from tests.conftest import OrgTree, Personas, login, make_user
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:webhooks_subscription_add")
LIST_URL = reverse("admin:webhooks_subscription_changelist")
LOG_URL = reverse("admin:webhooks_delivery_changelist")


def staff(username: str, *codenames: str) -> AbstractUser:
    user = make_user(username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="webhooks", codename__in=codenames)
    )
    return user


ALL_PERMISSIONS = (
    "add_subscription",
    "change_subscription",
    "view_subscription",
    "delete_subscription",
    "view_delivery",
)


@pytest.fixture
def superuser_client(db: None) -> Client:
    return login(make_user("systemforvaltare", is_staff=True, is_superuser=True))


def form(organisation_id: int, url: str, kinds: list[str]) -> dict[str, Any]:
    return {
        "organisation": organisation_id,
        "url": url,
        "kinds": kinds,
        "active": "on",
        "description": "Treserva",
    }


def test_a_new_subscription_shows_its_secret_once(
    superuser_client: Client, org_tree: OrgTree
) -> None:
    response = superuser_client.post(
        ADD_URL,
        form(org_tree.umea.pk, "https://treserva.umea.example/svu", ["admission_notice"]),
    )
    html = response.content.decode()
    subscription = Subscription.objects.get()
    assert response.status_code == 200
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) > 40
    assert subscription.secret in html
    assert "Kopiera hemligheten nu: den visas bara denna gång." in html
    assert subscription.kinds == ["admission_notice"]
    assert subscription.organisation_id == org_tree.umea.pk

    change = reverse("admin:webhooks_subscription_change", args=[subscription.pk])
    for url in (change, LIST_URL):
        page = superuser_client.get(url).content.decode()
        assert subscription.secret not in page
    listing = superuser_client.get(LIST_URL).content.decode()
    assert "Inskrivningsmeddelande" in listing  # the kinds by their Swedish names
    assert "Händelsetyper" in listing


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://treserva.umea.example/svu", "Adressen måste börja med https://."),
        ("http://127.0.0.1:8080/svu", "Adressen måste börja med https://."),  # setting off
        ("https://user:pw@treserva.umea.example/", "Inget användarnamn eller lösenord"),
        ("https://treserva.umea.example/" + "x" * 500, "som mest 500 tecken"),
        ("ftp://treserva.umea.example/", "Adressen måste börja med https://."),
        ("inte en adress", "Ange en giltig URL."),
    ],
)
def test_a_bad_address_is_refused_naming_the_field(
    superuser_client: Client, org_tree: OrgTree, settings: Any, url: str, message: str
) -> None:
    settings.SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    response = superuser_client.post(ADD_URL, form(org_tree.umea.pk, url, ["discharge"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'class="errorlist' in html and "field-url" in html
    assert not Subscription.objects.exists()


def test_no_kind_chosen_is_refused(superuser_client: Client, org_tree: OrgTree) -> None:
    response = superuser_client.post(ADD_URL, form(org_tree.umea.pk, "https://a.example/", []))
    html = response.content.decode()
    assert "Det här fältet är obligatoriskt." in html, re.findall(
        r"errorlist[^>]*>(.*?)</ul>", html
    )
    assert not Subscription.objects.exists()


def test_loopback_http_is_allowed_only_by_the_setting(
    superuser_client: Client, org_tree: OrgTree, settings: Any
) -> None:
    settings.SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    refused = superuser_client.post(
        ADD_URL, form(org_tree.umea.pk, "http://kommun.example/svu", ["discharge"])
    )
    assert "Adressen måste börja med https://." in refused.content.decode()
    accepted = superuser_client.post(
        ADD_URL, form(org_tree.umea.pk, "http://127.0.0.1:8080/svu", ["discharge"])
    )
    assert accepted.status_code == 200
    assert Subscription.objects.get().url == "http://127.0.0.1:8080/svu"


@pytest.fixture
def three_subscriptions(org_tree: OrgTree) -> dict[str, Subscription]:
    stockholm = Kommun.objects.get(code="0180")
    made = {}
    for name, organisation in (
        ("umea", org_tree.umea),
        ("skelleftea", org_tree.skelleftea),
        ("stockholm", stockholm),
    ):
        made[name], _ = services_create(organisation, f"https://{name}.example/svu")
    return made


def services_create(organisation: Any, url: str) -> tuple[Subscription, str]:
    from webhooks import services as webhooks

    return webhooks.create_subscription(organisation=organisation, url=url, kinds=["discharge"])


def test_a_kommun_admin_manages_only_its_own_subscriptions(
    org_tree: OrgTree, three_subscriptions: dict[str, Subscription]
) -> None:
    user = staff("umea_it", *ALL_PERMISSIONS)
    services.add_membership(user=user, organisation=org_tree.umea, role=Role.KOMMUN_PLANNER)
    client = login(user)

    listing = client.get(LIST_URL).content.decode()
    assert "https://umea.example/svu" in listing
    assert "skelleftea.example" not in listing and "stockholm.example" not in listing
    other = three_subscriptions["skelleftea"]
    for name in ("change", "delete"):
        url = reverse(f"admin:webhooks_subscription_{name}", args=[other.pk])
        response = client.get(url)
        assert response.status_code == 302  # the admin's answer for a missing object
        assert "skelleftea.example" not in client.get(response["Location"]).content.decode()

    add_form = client.get(ADD_URL).content.decode()
    assert f'value="{org_tree.umea.pk}"' in add_form
    assert f'value="{org_tree.skelleftea.pk}"' not in add_form
    refused = client.post(
        ADD_URL, form(org_tree.skelleftea.pk, "https://x.example/", ["discharge"])
    )
    assert "Välj ett giltigt alternativ" in refused.content.decode()
    assert Subscription.objects.filter(url="https://x.example/").count() == 0


def test_a_region_admin_manages_its_region_and_not_another(
    org_tree: OrgTree, three_subscriptions: dict[str, Subscription]
) -> None:
    user = staff("region_admin", *ALL_PERMISSIONS)
    services.add_membership(user=user, organisation=org_tree.region, role=Role.ADMIN)
    listing = login(user).get(LIST_URL).content.decode()
    assert "umea.example" in listing and "skelleftea.example" in listing
    assert "stockholm.example" not in listing


def test_staff_without_a_membership_or_the_permission_sees_nothing(
    org_tree: OrgTree, personas: Personas, three_subscriptions: dict[str, Subscription]
) -> None:
    lonely = login(staff("lonely", *ALL_PERMISSIONS))
    assert "example/svu" not in lonely.get(LIST_URL).content.decode()
    assert lonely.get(ADD_URL).status_code == 403
    user = staff("no_permission")
    services.add_membership(user=user, organisation=org_tree.umea, role=Role.KOMMUN_PLANNER)
    assert login(user).get(LIST_URL).status_code == 403


def test_the_delivery_log_is_read_only_and_scoped(
    org_tree: OrgTree,
    personas: Personas,
    three_subscriptions: dict[str, Subscription],
    superuser_client: Client,
    advance: Callable[..., Any],
    make_episode: Callable[..., Any],
) -> None:
    # Stored with their events; not sent (the commit's callbacks do not run here): waiting.
    advance(make_episode(), "discharged")
    advance(make_episode(), "discharged")
    assert Delivery.objects.filter(organisation=org_tree.umea).count() == 2

    user = staff("skelleftea_it", "view_delivery", "view_subscription")
    services.add_membership(user=user, organisation=org_tree.skelleftea, role=Role.KOMMUN_PLANNER)
    assert "umea.example" not in login(user).get(LOG_URL).content.decode()

    logged = AccessLogEntry.objects.count()
    listing = superuser_client.get(LOG_URL).content.decode()
    assert listing.count("https://umea.example/svu") == 2
    # That an episode had an event is a read of it: one access-log row per delivery listed.
    shown = AccessLogEntry.objects.order_by("pk")[logged:]
    assert sorted(e.episode_id for e in shown) == sorted(
        Delivery.objects.filter(organisation=org_tree.umea).values_list(
            "event__episode_id", flat=True
        )
    )
    assert "Väntar" in listing and "Utskrivning" in listing
    delivery = Delivery.objects.first()
    assert delivery is not None
    page = superuser_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html and 'name="status"' not in html
    assert "Svarskod" in html and "Nästa försök" in html
    assert superuser_client.get(reverse("admin:webhooks_delivery_add")).status_code == 403
