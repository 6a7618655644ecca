"""Every admin page that shows patient data writes access-log rows (issue 7, point 7).

DOMAIN.md, "Privacy": every read of patient-level data is logged. In the admin that is the
lists, the change pages and the history pages of patients, episodes, events (their data),
consent records and the access log itself (it names patients). A list writes one row per
patient shown (action "list"), a change or history page one row for its object ("view"); the
row names the episode where there is one, the patient always. The admin acts for no party of
the episode, so the rows carry no organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.test import Client
from django.urls import reverse

from discharges.models import (
    AccessAction,
    AccessLogEntry,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    Patient,
)
from tests.conftest import Personas, login, make_user


@pytest.fixture
def superuser(db: None) -> AbstractUser:
    return make_user("systemforvaltare", is_staff=True, is_superuser=True)


@pytest.fixture
def scenery(
    personas: Personas, episode: Episode, advance: Callable[..., Episode]
) -> dict[str, Any]:
    """A noticed episode with consent recorded through its page, and one access-log row."""
    advance(episode, "noticed")
    nurse = login(personas.ward_nurse)
    given = nurse.post(reverse("discharges:consent", args=[episode.pk, "give"]))
    assert given.status_code == 302
    assert nurse.get(reverse("discharges:episode_detail", args=[episode.pk])).status_code == 200
    return {
        "patient": episode.patient,
        "episode": episode,
        "episodeevent": EpisodeEvent.objects.filter(episode=episode).order_by("seq").last(),
        "consentrecord": ConsentRecord.objects.get(patient=episode.patient),
        "accesslogentry": AccessLogEntry.objects.get(),
    }


# (model, admin view, whether the row names the episode)
VIEWS = [
    ("patient", "changelist", False),
    ("patient", "change", False),
    ("patient", "history", False),
    ("episode", "changelist", True),
    ("episode", "change", True),
    ("episode", "history", True),
    ("episodeevent", "changelist", True),
    ("episodeevent", "change", True),
    ("episodeevent", "history", True),
    ("consentrecord", "changelist", False),
    ("consentrecord", "change", False),
    ("consentrecord", "history", False),
    ("accesslogentry", "changelist", True),
    ("accesslogentry", "change", True),
]


@pytest.mark.parametrize(("model", "view", "names_episode"), VIEWS)
def test_an_admin_page_showing_patient_data_is_access_logged(
    scenery: dict[str, Any], superuser: AbstractUser, model: str, view: str, names_episode: bool
) -> None:
    client = Client()
    client.force_login(superuser)
    args = [] if view == "changelist" else [scenery[model].pk]
    response = client.get(reverse(f"admin:discharges_{model}_{view}", args=args))
    assert response.status_code == 200
    rows = list(AccessLogEntry.objects.filter(user=superuser))
    episode, patient = scenery["episode"], scenery["patient"]
    action = AccessAction.LIST if view == "changelist" else AccessAction.VIEW
    assert [(r.patient_id, r.action, r.organisation_id) for r in rows] == [
        (patient.pk, action, None)
    ]
    [row] = rows
    assert row.detail.startswith("admin")
    if names_episode:
        assert row.episode_id == episode.pk


def test_a_list_writes_one_row_per_patient_shown(
    superuser: AbstractUser,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> None:
    patients = [make_patient() for _ in range(3)]
    episodes = [make_episode(patient) for patient in patients[:2]]
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:discharges_patient_changelist")).status_code == 200
    listed = AccessLogEntry.objects.filter(user=superuser, action=AccessAction.LIST)
    assert sorted(listed.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)
    # A search that finds nobody shows nobody.
    client.get(reverse("admin:discharges_patient_changelist"), {"q": "Ingen Sådan"})
    assert listed.count() == 3
    # The episode list: one row per episode, with its patient.
    assert client.get(reverse("admin:discharges_episode_changelist")).status_code == 200
    rows = AccessLogEntry.objects.filter(user=superuser, episode__isnull=False)
    assert sorted(rows.values_list("episode_id", "patient_id")) == sorted(
        (e.pk, e.patient_id) for e in episodes
    )


def test_an_admin_page_of_nothing_writes_no_row(superuser: AbstractUser, db: None) -> None:
    client = Client()
    client.force_login(superuser)
    for name in ("patient", "episode", "episodeevent", "consentrecord", "accesslogentry"):
        assert client.get(reverse(f"admin:discharges_{name}_changelist")).status_code == 200
        missing = client.get(reverse(f"admin:discharges_{name}_change", args=[999999]))
        assert missing.status_code == 302  # back to the admin index, "does not exist"
    assert not AccessLogEntry.objects.exists()


def shows_patient_data(model: type[models.Model]) -> bool:
    """A patient or an episode, or a row that points to one."""
    patient_models = (Patient, Episode, EpisodeEvent)
    return model in patient_models or any(
        field.is_relation and field.many_to_one and field.related_model in patient_models
        for field in model._meta.get_fields()
    )


def test_every_admin_of_patient_data_is_access_logged() -> None:
    from discharges.admin import AccessLoggedAdmin

    registered = {m for m in admin.site._registry if shows_patient_data(m)}
    assert registered >= {Patient, Episode, EpisodeEvent, ConsentRecord, AccessLogEntry}
    not_logged = [
        model.__name__
        for model in registered
        if not isinstance(admin.site._registry[model], AccessLoggedAdmin)
    ]
    assert not_logged == []
