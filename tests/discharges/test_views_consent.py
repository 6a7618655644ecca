"""discharges.views: acknowledgements, consent and the details it reveals (DOMAIN.md "Privacy").

- A recipient acknowledges another party's message once; the own message is refused.
- Only the ward records and withdraws consent.
- Without consent the other parties see the basic fields only; consent reveals the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from discharges import services
from discharges.models import (
    ConsentAction,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    EventKind,
    Receipt,
)
from discharges.selectors import BASIC_FIELDS
from tests.conftest import SECRET_REASON, OrgTree, Personas, login, persona
from tests.discharges.pages import ack_url, consent_url, detail_url, links

# --- Acknowledge and consent ------------------------------------------------------------------


def test_it_lets_the_kommun_acknowledge_the_admission_notice(
    planner: Client, personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    response = planner.post(ack_url(noticed.pk, notice.pk))
    assert response.status_code == 302
    assert response["Location"] == detail_url(noticed.pk)
    receipt = Receipt.objects.get(event=notice)
    assert receipt.organisation_id == org_tree.umea.pk
    assert receipt.user_id == personas.kommun_planner.pk
    # A second time is refused with a message, still no second receipt.
    again = login(personas.kommun_planner).post(ack_url(noticed.pk, notice.pk))
    assert again.status_code == 302
    assert [m.level_tag for m in get_messages(again.wsgi_request)] == ["error"]
    assert Receipt.objects.count() == 1
    timeline = planner.get(detail_url(noticed.pk)).context["timeline"]
    acknowledged = {e.event.kind: e.acknowledged_by_me for e in timeline}
    assert acknowledged == {EventKind.REGISTERED: False, EventKind.ADMISSION_NOTICE: True}


def test_it_refuses_an_acknowledgement_of_the_own_message(nurse: Client, noticed: Episode) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    response = nurse.post(ack_url(noticed.pk, notice.pk))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not Receipt.objects.exists()


def test_it_answers_404_for_an_event_of_another_episode(
    planner: Client, noticed: Episode, make_episode: Callable[..., Episode], advance: Callable
) -> None:
    other = advance(make_episode(), "noticed")
    foreign = EpisodeEvent.objects.get(episode=other, kind=EventKind.ADMISSION_NOTICE)
    assert planner.post(ack_url(noticed.pk, foreign.pk)).status_code == 404
    assert planner.post(ack_url(noticed.pk, 10**9)).status_code == 404
    assert not Receipt.objects.exists()


def test_it_lets_the_ward_record_and_withdraw_consent(
    nurse: Client, personas: Personas, noticed: Episode
) -> None:
    response = nurse.post(consent_url(noticed.pk, "give"), {"note": "Muntligt samtycke"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(noticed.pk)
    record = ConsentRecord.objects.get()
    assert (record.action, record.recorded_by_id, record.note) == (
        ConsentAction.GIVEN,
        personas.ward_nurse.pk,
        "Muntligt samtycke",
    )
    assert record.episode_id == noticed.pk
    assert Episode.objects.get(pk=noticed.pk).has_consent
    assert nurse.post(consent_url(noticed.pk, "withdraw")).status_code == 302
    assert not Episode.objects.get(pk=noticed.pk).has_consent
    assert ConsentRecord.objects.count() == 2
    assert nurse.post(consent_url(noticed.pk, "maybe")).status_code == 404


@pytest.mark.parametrize("name", ["kommun_planner", "hc_coordinator"])
def test_it_refuses_consent_from_the_recipients(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    response = client.post(consent_url(noticed.pk, "give"))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not ConsentRecord.objects.exists()
    assert not Episode.objects.get(pk=noticed.pk).has_consent
    page = client.get(detail_url(noticed.pk))
    assert page.context["can_record_consent"] is False
    assert consent_url(noticed.pk, "give") not in links(page.content)


# --- Fields hidden without consent ------------------------------------------------------------


def test_it_hides_the_details_from_the_kommun_without_consent(
    planner: Client, noticed: Episode
) -> None:
    response = planner.get(detail_url(noticed.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_REASON not in html
    assert 'id="details-hidden"' in html
    view = response.context["view"]
    assert view.details is False
    assert view.party == "kommun"
    fields = response.context["fields"]
    for key, value in fields.items():
        if key not in BASIC_FIELDS:
            assert value is None, key
    assert fields["name"] == noticed.patient.name
    assert fields["personnummer"] == noticed.patient.personnummer
    assert fields["address"] == noticed.patient.address
    shown = {e.event.kind: e.show_data for e in response.context["timeline"]}
    assert shown == {EventKind.REGISTERED: False, EventKind.ADMISSION_NOTICE: False}


def test_it_shows_the_kommun_its_own_message_contents(
    planner: Client, personas: Personas, noticed: Episode
) -> None:
    services.answer_admission(
        actor=personas.kommun_actor, episode=noticed, current_services=True, services="Hemtjänst-X9"
    )
    response = planner.get(detail_url(noticed.pk))
    shown = {e.event.kind: e.show_data for e in response.context["timeline"]}
    assert shown[EventKind.ADMISSION_ANSWER] is True
    assert shown[EventKind.ADMISSION_NOTICE] is False
    assert "Hemtjänst-X9" in response.content.decode()


def test_it_shows_the_ward_every_detail(nurse: Client, noticed: Episode) -> None:
    response = nurse.get(detail_url(noticed.pk))
    html = response.content.decode()
    assert SECRET_REASON in html
    assert 'id="details-hidden"' not in html
    assert response.context["view"].details is True
    assert response.context["fields"]["admission_reason"] == SECRET_REASON
    assert response.context["can_record_consent"] is True


def test_it_reveals_the_details_with_consent_and_hides_them_again_on_withdrawal(
    nurse: Client, planner: Client, personas: Personas, noticed: Episode
) -> None:
    assert nurse.post(consent_url(noticed.pk, "give")).status_code == 302
    response = planner.get(detail_url(noticed.pk))
    assert SECRET_REASON in response.content.decode()
    assert response.context["view"].details is True
    assert response.context["fields"]["admission_reason"] == SECRET_REASON
    assert all(e.show_data for e in response.context["timeline"])

    assert nurse.post(consent_url(noticed.pk, "withdraw")).status_code == 302
    response = planner.get(detail_url(noticed.pk))
    assert SECRET_REASON not in response.content.decode()
    assert response.context["fields"]["admission_reason"] is None


def test_it_keeps_the_details_from_the_health_centre_without_consent(
    personas: Personas, noticed: Episode
) -> None:
    response = login(personas.hc_coordinator).get(detail_url(noticed.pk))
    assert response.status_code == 200
    assert SECRET_REASON not in response.content.decode()
    assert response.context["view"].party == "health_centre"
    assert response.context["fields"]["hospital"] is None
