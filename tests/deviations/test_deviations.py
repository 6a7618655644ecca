"""Deviations between organisations (issue 14, point 4): a party files one about an episode,
the concerned organisation answers; who sees it (each persona, on the episode page and in the
list), who may answer (403/404), bad input named and refused, reads logged, and the counts per
category per kommun."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from deviations.models import Category, Deviation
from deviations.selectors import counts_for_episodes, counts_per_category
from deviations.services import DeviationError, NotAllowed, answer_deviation, file_deviation
from discharges.models import AccessAction, AccessLogEntry, Episode
from tests.conftest import OrgTree, Personas, login, persona
from tests.personas import PERSONAS

DESCRIPTION = "Inskrivningsmeddelandet saknade uppgift om hemtjänst"
ANSWER = "Uppgiften kompletterades dagen efter"

# Who sees an Umeå patient's episode at the somatic ward after the admission notice.
PARTIES = frozenset({"ward_nurse", "hc_coordinator", "kommun_planner"})


@pytest.fixture
def deviation(noticed: Episode, personas: Personas, org_tree: OrgTree) -> Deviation:
    return file_deviation(
        personas.ward_nurse,
        noticed,
        category=Category.MISSING_INFORMATION,
        description=DESCRIPTION,
        concerns_id=org_tree.umea.pk,
    )


def episode_url(episode: Episode) -> str:
    return reverse("discharges:episode_detail", args=[episode.pk])


@pytest.mark.parametrize("name", PERSONAS)
def test_who_sees_a_deviation_on_the_episode_page(
    personas: Personas, deviation: Deviation, name: str
) -> None:
    response = login(persona(personas, name)).get(episode_url(deviation.episode))
    if name in PARTIES:
        assert response.status_code == 200
        assert DESCRIPTION in response.content.decode()
        assert "Information saknas i ett meddelande" in response.content.decode()
    else:
        assert response.status_code == 404
        assert DESCRIPTION not in response.content.decode()


@pytest.mark.parametrize("name", PERSONAS)
def test_who_sees_a_deviation_in_the_list(
    personas: Personas, deviation: Deviation, name: str
) -> None:
    response = login(persona(personas, name)).get(reverse("deviations:list"))
    assert response.status_code == 200
    html = response.content.decode()
    # The region's processledare sees every deviation of the region, without the patient.
    assert (DESCRIPTION in html) == (name in PARTIES | {"processledare"})
    episode_link = episode_url(deviation.episode)
    assert (episode_link in html) == (name in PARTIES)
    assert deviation.episode.patient.name not in html


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("kommun_planner", 302),
        ("ward_nurse", 403),  # filed it, but it concerns the kommun
        ("hc_coordinator", 403),
        ("other_kommun_planner", 404),
        ("processledare", 404),
        ("outsider", 404),
    ],
)
def test_only_the_concerned_organisation_answers(
    personas: Personas, deviation: Deviation, name: str, status: int
) -> None:
    url = reverse("deviations:answer", args=[deviation.pk])
    response = login(persona(personas, name)).post(url, {"answer": ANSWER})
    assert response.status_code == status
    deviation.refresh_from_db()
    assert deviation.answered == (status == 302)


def test_the_answer_is_shown_to_both_and_given_once(
    personas: Personas, deviation: Deviation
) -> None:
    planner = login(personas.kommun_planner)
    url = reverse("deviations:answer", args=[deviation.pk])
    assert planner.post(url, {"answer": ANSWER}).status_code == 302
    again = planner.post(url, {"answer": "Nytt svar"})
    assert again.status_code == 400
    assert 'data-field="answer"' in again.content.decode()
    deviation.refresh_from_db()
    assert deviation.answer == ANSWER
    page = login(personas.ward_nurse).get(episode_url(deviation.episode)).content.decode()
    assert ANSWER in page


def test_filing_on_the_page(personas: Personas, noticed: Episode, org_tree: OrgTree) -> None:
    client = login(personas.kommun_planner)
    page = client.get(episode_url(noticed)).content.decode()
    assert 'id="deviation-form"' in page
    url = reverse("deviations:file", args=[noticed.pk])
    filed = client.post(
        url,
        {"category": "early_discharge", "concerns": org_tree.ward.pk, "description": "För tidigt"},
    )
    assert filed.status_code == 302
    item = Deviation.objects.get()
    assert (item.filed_by_organisation_id, item.concerns_id) == (org_tree.umea.pk, org_tree.ward.pk)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "nonsense", "concerns": "ward", "description": "x"}, "category"),
        ({"category": "other", "concerns": "own", "description": "x"}, "concerns"),
        ({"category": "other", "concerns": "other_kommun", "description": "x"}, "concerns"),
        ({"category": "other", "concerns": "ward", "description": "   "}, "description"),
        ({"category": "other", "concerns": "ward", "description": "x" * 2001}, "description"),
    ],
)
def test_bad_input_is_named_and_nothing_is_filed(
    personas: Personas, noticed: Episode, org_tree: OrgTree, data: dict[str, str], field: str
) -> None:
    ids = {
        "ward": org_tree.ward.pk,
        "own": org_tree.umea.pk,
        "other_kommun": org_tree.skelleftea.pk,
    }
    post = {**data, "concerns": str(ids[data["concerns"]])}
    response = login(personas.kommun_planner).post(
        reverse("deviations:file", args=[noticed.pk]), post
    )
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not Deviation.objects.exists()


def test_who_may_not_file(personas: Personas, noticed: Episode, org_tree: OrgTree) -> None:
    url = reverse("deviations:file", args=[noticed.pk])
    post = {"category": "other", "concerns": org_tree.ward.pk, "description": "x"}
    for name in ("processledare", "other_kommun_planner", "outsider", "joint_group"):
        assert login(persona(personas, name)).post(url, post).status_code == 404
    with pytest.raises(NotAllowed):
        file_deviation(
            personas.processledare,
            noticed,
            category="other",
            description="x",
            concerns_id=org_tree.ward.pk,
        )
    assert not Deviation.objects.exists()


def test_reads_are_logged(personas: Personas, deviation: Deviation) -> None:
    login(personas.processledare).get(reverse("deviations:list"))
    logged = AccessLogEntry.objects.filter(user=personas.processledare, action=AccessAction.LIST)
    assert list(logged.values_list("episode_id", "detail")) == [
        (deviation.episode_id, "deviations")
    ]


def test_an_answer_after_the_first_is_refused_by_the_service(
    personas: Personas, deviation: Deviation
) -> None:
    answer_deviation(personas.kommun_planner, deviation.pk, ANSWER)
    with pytest.raises(DeviationError):
        answer_deviation(personas.kommun_planner, deviation.pk, "igen")


def test_counts_per_category_and_kommun(
    personas: Personas, deviation: Deviation, org_tree: OrgTree, make_episode, advance
) -> None:
    other = advance(make_episode(), "noticed")
    for category in (Category.SIP_NOT_HELD, Category.SIP_NOT_HELD, Category.OTHER):
        file_deviation(
            personas.hc_coordinator,
            other,
            category=category,
            description="x",
            concerns_id=org_tree.ward.pk,
        )
    month = timezone.localdate().replace(day=1)
    counts = counts_per_category([org_tree.umea.pk, org_tree.skelleftea.pk], month, month)
    assert counts == {org_tree.umea.pk: {"missing_information": 1, "sip_not_held": 2, "other": 1}}
    assert counts_per_category([org_tree.umea.pk], date(2020, 1, 1), date(2020, 12, 1)) == {}
    assert counts_for_episodes([other.pk]) == {"sip_not_held": 2, "other": 1}
