"""discharges.admin: the systemförvaltare's pages.

- The access log (loggkontroll) lists entries and can never be added to, changed or deleted.
- Episodes and their events are read-only (every change is a message through the services).
- The patient list shows masked personnummer only; opening a patient is logged.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import AbstractUser
from django.test import Client, RequestFactory
from django.urls import reverse

from discharges import services
from discharges.models import (
    AccessAction,
    AccessLogEntry,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    Patient,
)
from tests.conftest import Personas, make_user


@pytest.fixture
def superuser(db: None) -> AbstractUser:
    return make_user("systemforvaltare", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser: AbstractUser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def logged(
    personas: Personas, episode: Episode, advance: Callable[..., Episode]
) -> list[AccessLogEntry]:
    """A few access-log rows written by reading pages as the ward and the kommun."""
    advance(episode, "noticed")
    for user in (personas.ward_nurse, personas.kommun_planner):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("api:episode_detail", args=[episode.pk])).status_code == 200
    return list(AccessLogEntry.objects.all())


def url(model: type, view: str, *args: object) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


# --- Access log -------------------------------------------------------------------------------


def test_it_lists_the_access_log(admin_client: Client, logged: list[AccessLogEntry]) -> None:
    response = admin_client.get(url(AccessLogEntry, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == len(logged) == 2
    assert {entry.pk for entry in changelist.result_list} == {entry.pk for entry in logged}
    filtered = admin_client.get(url(AccessLogEntry, "changelist"), {"action": AccessAction.VIEW})
    assert filtered.context["cl"].result_count == 0


@pytest.mark.parametrize("model", [AccessLogEntry, Episode, EpisodeEvent, ConsentRecord])
def test_it_has_no_add_change_or_delete_permission(superuser: AbstractUser, model: type) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_view_permission(request) is True


def test_it_refuses_to_add_change_or_delete_an_access_log_row(
    admin_client: Client, logged: list[AccessLogEntry]
) -> None:
    entry = logged[0]
    assert admin_client.get(url(AccessLogEntry, "add")).status_code == 403
    assert admin_client.post(url(AccessLogEntry, "add"), {"action": "view"}).status_code == 403
    assert admin_client.get(url(AccessLogEntry, "delete", entry.pk)).status_code == 403
    deleted = admin_client.post(url(AccessLogEntry, "delete", entry.pk), {"post": "yes"})
    assert deleted.status_code == 403
    page = admin_client.get(url(AccessLogEntry, "change", entry.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    response = admin_client.post(
        url(AccessLogEntry, "changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    assert set(AccessLogEntry.objects.values_list("pk", flat=True)) >= {e.pk for e in logged}
    stored = AccessLogEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.user_id, stored.episode_id) == (
        entry.action,
        entry.user_id,
        entry.episode_id,
    )


# --- Episodes and events ----------------------------------------------------------------------


def test_it_shows_episodes_read_only_and_logs_the_view(
    admin_client: Client, superuser: AbstractUser, episode: Episode
) -> None:
    assert admin_client.get(url(Episode, "changelist")).status_code == 200
    assert admin_client.get(url(Episode, "add")).status_code == 403
    assert admin_client.get(url(Episode, "delete", episode.pk)).status_code == 403
    page = admin_client.get(url(Episode, "change", episode.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = admin_client.post(url(Episode, "change", episode.pk), {"status": "closed"})
    assert response.status_code == 403
    assert Episode.objects.get(pk=episode.pk).status == episode.status
    # The list logs its rows too (tests/discharges/test_admin_access_log.py); here the page.
    [row] = AccessLogEntry.objects.filter(user=superuser, action=AccessAction.VIEW)
    assert (row.episode_id, row.patient_id, row.action, row.detail) == (
        episode.pk,
        episode.patient_id,
        AccessAction.VIEW,
        "admin",
    )


def test_it_shows_events_read_only(admin_client: Client, episode: Episode) -> None:
    event = EpisodeEvent.objects.get(episode=episode)
    assert admin_client.get(url(EpisodeEvent, "changelist")).status_code == 200
    assert admin_client.get(url(EpisodeEvent, "add")).status_code == 403
    assert admin_client.get(url(EpisodeEvent, "delete", event.pk)).status_code == 403
    page = admin_client.get(url(EpisodeEvent, "change", event.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert admin_client.post(url(EpisodeEvent, "change", event.pk), {}).status_code == 403
    assert EpisodeEvent.objects.filter(episode=episode).count() == 1


# --- Patients ---------------------------------------------------------------------------------


def test_it_lists_patients_with_masked_personnummer_only(
    admin_client: Client, make_patient: Callable[..., Patient]
) -> None:
    patients = [make_patient() for _ in range(3)]
    response = admin_client.get(url(Patient, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    html = response.content.decode()
    for patient in patients:
        number = patient.personnummer
        assert patient.masked_personnummer in html
        assert number not in html
        assert number[2:] not in html


def test_it_does_not_search_patients_by_personnummer(
    admin_client: Client, patient: Patient
) -> None:
    response = admin_client.get(url(Patient, "changelist"), {"q": patient.personnummer})
    assert response.context["cl"].result_count == 0
    by_name = admin_client.get(url(Patient, "changelist"), {"q": patient.name})
    assert by_name.context["cl"].result_count == 1


def test_it_masks_the_personnummer_in_the_log_and_consent_lists(
    admin_client: Client, personas: Personas, logged: list[AccessLogEntry], episode: Episode
) -> None:
    services.record_consent(actor=personas.ward_actor, episode=episode)
    number = episode.patient.personnummer
    for model in (AccessLogEntry, ConsentRecord, EpisodeEvent, Episode):
        response = admin_client.get(url(model, "changelist"))
        assert response.status_code == 200
        assert number not in response.content.decode(), model


def test_it_logs_the_opening_of_a_patient(
    admin_client: Client, superuser: AbstractUser, patient: Patient
) -> None:
    response = admin_client.get(url(Patient, "change", patient.pk))
    assert response.status_code == 200
    [row] = AccessLogEntry.objects.all()
    assert (row.user_id, row.patient_id, row.episode_id, row.action, row.detail) == (
        superuser.pk,
        patient.pk,
        None,
        AccessAction.VIEW,
        "admin",
    )


def test_it_cannot_delete_a_patient(admin_client: Client, patient: Patient) -> None:
    assert admin_client.get(url(Patient, "delete", patient.pk)).status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_it_keeps_staff_without_superuser_out_of_the_log(db: None) -> None:
    user = make_user("staff_only", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(url(AccessLogEntry, "changelist")).status_code == 403
    assert client.get(url(Patient, "changelist")).status_code == 403
