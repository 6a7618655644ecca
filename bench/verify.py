"""The generated data checked on a sample: each projection equals the replay of its events and
the consent flag its consent records, the events are numbered 1..n, the grants are
``grants.audience``, the personnummer validates."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from bench.sql import fetchall
from discharges import grants, projection
from discharges.models import ConsentRecord, Episode, EpisodeEvent
from discharges.personnummer import validate_personnummer

# Every column of the episode that replaying its events sets (all but the id, created_at and
# the consent flag, which is the projection of the episode's consent records).
COMPARED_FIELDS = projection.PROJECTED_FIELDS


def verify(sample: int = 300) -> None:
    """Projection == replay of the events, and grants == grants.audience, on a sample."""
    ids = [
        row[0]
        for row in fetchall(
            "SELECT id FROM discharges_episode TABLESAMPLE BERNOULLI (1) REPEATABLE (7) "
            "ORDER BY id LIMIT %(n)s",
            {"n": sample},
        )
    ]
    # Make sure the sample holds every kind of history (active, withdrawn, SIP, closed).
    for condition in (
        "status IN ('registered', 'planning', 'ready')",
        "ready_notice_withdrawals > 0",
        "sip_held_date IS NOT NULL",
        "status = 'closed'",
    ):
        ids += [
            row[0]
            for row in fetchall(
                f"SELECT id FROM discharges_episode WHERE {condition} ORDER BY id DESC LIMIT 20"  # noqa: S608
            )
        ]
    perms_by_id = dict(Permission.objects.values_list("id", "codename"))
    groups = {}
    for ep in Episode.objects.filter(pk__in=ids):
        events = list(EpisodeEvent.objects.filter(episode=ep).order_by("seq"))
        replayed = projection.replay(events)
        diff = {
            name: (getattr(ep, name), getattr(replayed, name))
            for name in COMPARED_FIELDS
            if getattr(ep, name) != getattr(replayed, name)
        }
        assert not diff, f"episode {ep.pk}: projection differs from replay: {diff}"
        last = ConsentRecord.objects.filter(episode=ep).order_by("recorded_at", "id").last()
        assert ep.has_consent == (last is not None and last.action == "given"), ep.pk
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), ep.pk
        audience = grants.audience(ep)
        if not groups:
            groups = dict(fetchall("SELECT id, group_id FROM discharges_organisation"))
        want = {(groups[o], c) for o in audience for c in grants.CODENAMES}
        have = {
            (g, perms_by_id[p])
            for g, p in fetchall(
                "SELECT group_id, permission_id FROM discharges_episodegroupobjectpermission "
                "WHERE content_object_id = %(id)s",
                {"id": ep.pk},
            )
        }
        assert have == want, f"episode {ep.pk}: grants {have} != {want}"
        validate_personnummer(ep.patient.personnummer)
