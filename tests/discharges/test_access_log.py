"""The access log (loggkontroll): one row per episode read, with the acting organisation."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from discharges import access_log
from discharges.models import AccessAction, AccessLogEntry, Episode
from tests.conftest import OrgTree, Personas


def test_it_logs_one_row_per_episode_read_with_the_acting_organisation(
    make_episode: Callable[..., Episode],
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    first = advance(make_episode(), "noticed")
    second = advance(make_episode(), "noticed")
    started = timezone.now()
    access_log.log_access(personas.kommun_planner, [first, second], AccessAction.LIST, "lista")
    rows = list(AccessLogEntry.objects.order_by("id"))
    assert [row.episode_id for row in rows] == [first.pk, second.pk]
    for row, episode in zip(rows, (first, second), strict=True):
        assert row.user_id == personas.kommun_planner.pk
        assert row.organisation_id == org_tree.umea.pk
        assert row.patient_id == episode.patient_id
        assert row.action == AccessAction.LIST
        assert row.detail == "lista"
        assert started <= row.at <= timezone.now()

    access_log.log_access(personas.ward_nurse, [first], AccessAction.VIEW)
    ward_row = AccessLogEntry.objects.latest("id")
    assert (ward_row.organisation_id, ward_row.action) == (org_tree.ward.pk, AccessAction.VIEW)
    assert AccessLogEntry.objects.count() == 3


def test_it_cuts_the_detail_to_200_characters(episode: Episode, personas: Personas) -> None:
    access_log.log_access(personas.ward_nurse, [episode], AccessAction.VIEW, "x" * 300)
    assert len(AccessLogEntry.objects.get().detail) == 200


def test_it_logs_nothing_for_no_episodes(personas: Personas) -> None:
    access_log.log_access(personas.ward_nurse, [], AccessAction.LIST)
    assert not AccessLogEntry.objects.exists()


def test_logging_by_id_writes_the_rows_of_the_episodes_themselves(
    make_episode: Callable[..., Episode],
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    """``log_access_by_id`` (downloads of thousands) reads only ids and parties, and writes
    what ``log_access`` writes for the episodes: the same organisation and patient per row."""
    episodes = [advance(make_episode(), "noticed") for _ in range(3)]
    fields = ("user_id", "organisation_id", "episode_id", "patient_id", "action", "detail")
    for user, organisation in (
        (personas.kommun_planner, org_tree.umea),
        (personas.ward_nurse, org_tree.ward),
        (personas.hc_coordinator, org_tree.hc_umea),
    ):
        access_log.log_access(user, episodes, AccessAction.EXPORT, "export")
        by_model = list(AccessLogEntry.objects.order_by("-id").values_list(*fields)[:3])
        access_log.log_access_by_id(user, [e.pk for e in episodes], AccessAction.EXPORT, "export")
        by_id = list(AccessLogEntry.objects.order_by("-id").values_list(*fields)[:3])
        assert sorted(by_id) == sorted(by_model)
        assert {row[1] for row in by_id} == {organisation.pk}
        assert {row[2] for row in by_id} == {e.pk for e in episodes}
    access_log.log_access_by_id(personas.ward_nurse, [], AccessAction.EXPORT)
    assert AccessLogEntry.objects.count() == 18


def test_logging_by_id_takes_a_download_of_tens_of_thousands(
    make_episode: Callable[..., Episode],
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    """A year of a large kommun's invoice lines names ~35,000 episodes (one array parameter on
    PostgreSQL, ``selectors.id_list``): only those that exist are logged."""
    episode = advance(make_episode(), "noticed")
    ids = [episode.pk, *range(10**9, 10**9 + 40_000)]  # the others do not exist
    access_log.log_access_by_id(personas.kommun_planner, ids, AccessAction.EXPORT, "export")
    assert list(AccessLogEntry.objects.values_list("episode_id", flat=True)) == [episode.pk]
