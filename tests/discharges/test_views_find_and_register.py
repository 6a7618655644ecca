"""Finding a patient and registering a new stay for them; the list's search by reference.

- From the list of a patient's episodes the ward starts a new episode with the stored details
  filled in (``?patient=``: only a patient of the ward's own episodes; the read is logged).
- A personnummer search that finds no episode of the ward's opens the register form for the
  number: filled in from the stored patient when known (logged), the number only otherwise.
- The municipality menu lists the region's municipalities first, the patient's chosen.
- The list finds an episode by its reference (SVU-1536 or 1536), its external id or a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from discharges.models import AccessAction, AccessLogEntry, Episode, Patient
from discharges.personnummer import format_personnummer
from tests.conftest import OrgTree, Personas, login
from tests.discharges.pages import FIND_URL, LIST_URL, REGISTER_URL, listed_ids


def optgroups(html: str, select_id: str) -> list[tuple[str, list[str]]]:
    select = html[html.index(f'id="{select_id}"') :]
    select = select[: select.index("</select>")]
    return [
        (label, re.findall(r"<option[^>]*>([^<]+)</option>", body))
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    ]


def selected(html: str, select_id: str) -> str:
    select = html[html.index(f'id="{select_id}"') :]
    select = select[: select.index("</select>")]
    [label] = re.findall(r"<option[^>]*selected>([^<]+)</option>", select)
    return str(label)


def test_the_list_of_a_patients_episodes_offers_a_new_episode_filled_in(
    episode: Episode, personas: Personas, org_tree: OrgTree
) -> None:
    nurse = login(personas.ward_nurse)
    patient = episode.patient
    listed = nurse.get(LIST_URL, {"status": "all", "patient": patient.pk}).content.decode()
    link = f'href="{REGISTER_URL}?patient={patient.pk}"'
    assert link in listed and "Nytt vårdtillfälle för patienten" in listed

    page = nurse.get(REGISTER_URL, {"patient": patient.pk})
    html = page.content.decode()
    assert page.status_code == 200
    form = page.context["form"]
    assert form["personnummer"].value() == format_personnummer(patient.personnummer)
    assert form["name"].value() == "Greta Lindqvist" and form.fields["name"].disabled
    assert form["address"].value() == "Storgatan 1, 903 26 Umeå"
    assert selected(html, "id_kommun") == "Umeå (2480)"
    assert selected(html, "id_health_centre") == org_tree.hc_umea.name
    assert 'id="known-patient"' in html
    [read] = AccessLogEntry.objects.filter(user=personas.ward_nurse, detail="register")
    assert (read.patient_id, read.action) == (patient.pk, AccessAction.VIEW)

    admitted = timezone.localtime() - timedelta(hours=1)
    response = nurse.post(
        REGISTER_URL,
        {
            "personnummer": patient.personnummer,
            "known_patient": patient.pk,
            "name": "Someone Else",  # disabled: not used
            "kommun": org_tree.umea.pk,
            "health_centre": org_tree.hc_umea.pk,
            "ward": org_tree.ward.pk,
            "admitted_at": f"{admitted:%Y-%m-%d %H:%M}",
            "admission_type": "akut",
        },
    )
    assert response.status_code == 302
    new = Episode.objects.exclude(pk=episode.pk).get()
    assert (new.patient_id, new.kommun_id, new.health_centre_id) == (
        patient.pk,
        org_tree.umea.pk,
        org_tree.hc_umea.pk,
    )
    assert Patient.objects.get(pk=patient.pk).name == "Greta Lindqvist"


def test_a_patient_of_no_episode_of_mine_is_not_filled_in(
    episode: Episode, personas: Personas, make_patient: Callable[..., Patient]
) -> None:
    stranger = make_patient()
    nurse = login(personas.psych_nurse)  # another ward: the episode is not theirs
    for patient_id in (episode.patient_id, stranger.pk, "x", "99999999999999999999"):
        assert nurse.get(REGISTER_URL, {"patient": patient_id}).status_code == 404
    assert not AccessLogEntry.objects.filter(detail="register").exists()


def test_a_personnummer_without_an_episode_of_mine_opens_the_register_form(
    personas: Personas, make_patient: Callable[..., Patient], new_personnummer: Callable[[], str]
) -> None:
    known = make_patient(name="Stina Berg")
    nurse = login(personas.ward_nurse)
    response = nurse.post(FIND_URL, {"personnummer": format_personnummer(known.personnummer)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Registrera vårdtillfälle</h1>" in html
    assert response.context["form"]["name"].value() == "Stina Berg"
    assert response.context["known_patient"] == known
    assert AccessLogEntry.objects.filter(patient=known, detail="register").count() == 1

    unknown = new_personnummer()
    response = nurse.post(FIND_URL, {"personnummer": unknown})
    assert response.status_code == 200
    assert response.context["form"]["personnummer"].value() == format_personnummer(unknown)
    assert response.context["known_patient"] is None
    assert "Ingen patient med detta personnummer finns registrerad än." in (
        response.content.decode()
    )


def test_a_personnummer_search_by_a_planner_does_not_open_the_register_form(
    personas: Personas, make_patient: Callable[..., Patient]
) -> None:
    known = make_patient()
    response = login(personas.kommun_planner).post(FIND_URL, {"personnummer": known.personnummer})
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert not AccessLogEntry.objects.filter(patient=known).exists()


def test_the_municipality_menu_lists_the_regions_first(
    personas: Personas, org_tree: OrgTree
) -> None:
    html = login(personas.ward_nurse).get(REGISTER_URL).content.decode()
    [(region, mine), (other, rest)] = optgroups(html, "id_kommun")
    assert region.startswith("Kommuner i ") and "Västerbotten" in region
    assert other == "Övriga kommuner"
    assert "Umeå (2480)" in mine and "Skellefteå (2482)" in mine
    assert "Stockholm (0180)" in rest and "Stockholm (0180)" not in mine
    assert len(mine) == 15  # Västerbotten's kommuner
    assert len(mine) + len(rest) == 290
    assert mine == sorted(mine)


def test_the_list_finds_an_episode_by_its_reference(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    wanted, other = make_episode(), make_episode()
    advance(wanted, "closed")  # a reference names one episode: found under "active" too
    nurse = login(personas.ward_nurse)
    for query in (f"SVU-{wanted.pk}", f"svu-{wanted.pk}", str(wanted.pk), f" SVU-{wanted.pk} "):
        for status in ("all", "active"):
            response = nurse.get(LIST_URL, {"status": status, "q": query})
            assert listed_ids(response) == {wanted.pk}, (query, status)
    # A name is searched under the status filter.
    assert listed_ids(nurse.get(LIST_URL, {"status": "active", "q": "Testperson"})) == {other.pk}
    assert listed_ids(nurse.get(LIST_URL, {"status": "all", "q": "SVU-987654"})) == set()
    assert other.pk in listed_ids(nurse.get(LIST_URL, {"status": "all", "q": "Testperson"}))
    # Another ward's episode is not found by its number either.
    assert listed_ids(login(personas.psych_nurse).get(LIST_URL, {"q": str(wanted.pk)})) == set()
