"""The first pass over a file, a batch of rows at a time: every check a page write would make.

Each batch is parsed, its episode ids checked against every earlier row, its stored episodes
locked and read, its patients found or given keys, and each row run through the services with
the batch recorder. While the file holds no error, the batch's rows are kept for the second
pass (``SpooledBatch``); after the first error the pass goes on only to list every error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from django.db import connection
from django.utils.translation import gettext as _

from discharges import grants, services
from discharges.bulk import Ids, encode_rows, new_instance
from discharges.imports.context import Context
from discharges.imports.parsing import Parser, Row
from discharges.imports.report import Errors, ImportResult
from discharges.imports.seen import Seen
from discharges.imports.spool import SpooledBatch
from discharges.imports.steps import Found, Step, new_steps, refusal, row_steps
from discharges.models import Episode, HealthCentre, Kommun, Organisation, Patient
from discharges.services import Actor, Refused
from discharges.services.batch import BatchRecorder, batch_rows

BATCH_ROWS = 2000
PATIENT_FIELDS = [f.attname for f in Patient._meta.concrete_fields]
_patient_values = attrgetter(*PATIENT_FIELDS)

Raw = list[tuple[int, dict[str, str]]]  # (row number, cells by column)


@dataclass
class Checker:
    """The first pass's state across the whole file."""

    seen: Seen
    # None: no keys are handed out (a dry run, or a file already known to be refused).
    ids: Ids | None
    errors: Errors = field(default_factory=Errors)
    result: ImportResult = field(default_factory=ImportResult)
    context: Context = field(default_factory=Context)
    recorder: BatchRecorder = field(default_factory=BatchRecorder)
    parser: Parser = field(init=False)
    _groups: dict[int, int] = field(default_factory=dict)
    _permissions: list[int] = field(default_factory=list)
    _placeholder: int = 0

    def __post_init__(self) -> None:
        self.parser = Parser({k.code: k for k in Kommun.objects.select_related("region")})
        self._permissions = grants.permission_ids()

    def check(self, raw: Raw) -> SpooledBatch | None:
        """Check a batch of rows; its rows to write, or None once the file has an error."""
        found: Found = []
        self.parser.new_batch()
        rows = [row for number, cells in raw if (row := self.parser.row(number, cells))]
        rows = self._unique(raw, rows, found)
        stored = _stored_episodes([row.episode_id for row in rows])
        patients, new_patients = self._patients(rows, stored)
        for row in rows:
            self._run(row, stored.get(row.episode_id), patients, found)
        recorded = self.recorder.drain()
        self.result.rows += len(raw)
        self.result.events += len(recorded.events)
        self.result.kinds.update(event.kind for _episode, event in recorded.events)
        self.errors.add(self.parser.errors + found)
        self.parser.errors = []
        if self.errors:
            self.ids = None
        if self.ids is None:
            return None
        ids = self.ids
        batch = batch_rows(
            recorded, lambda n: ids.take(Episode, n), self._group_of, self._permissions
        )
        new = encode_rows(Patient, PATIENT_FIELDS, [_patient_values(p) for p in new_patients])
        return SpooledBatch(len(raw), new, batch)

    def _unique(self, raw: Raw, rows: list[Row], found: Found) -> list[Row]:
        """The rows whose episode id no earlier row has (a later one is an error)."""
        first: dict[str, int] = {}
        for number, cells in raw:
            episode_id = cells.get("episode_id", "")
            if episode_id and episode_id not in first:
                first[episode_id] = number
        earlier = self.seen.episode_rows(list(first))
        duplicates = set()
        for number, cells in raw:
            episode_id = cells.get("episode_id", "")
            row_of = earlier.get(episode_id) or first.get(episode_id)
            if episode_id and row_of is not None and row_of != number:
                found.append((number, "episode_id", _("duplicate of row %(n)s") % {"n": row_of}))
                duplicates.add(number)
        self.seen.add_episodes((i, n) for i, n in first.items() if i not in earlier)
        return [row for row in rows if row.number not in duplicates]

    def _patients(
        self, rows: list[Row], stored: dict[str, Episode]
    ) -> tuple[dict[str, Patient], list[Patient]]:
        """The patient of each new episode: stored, created earlier in the file, or new (with
        the kommun of its first row). Returns them by personnummer, and the new ones."""
        wanted = {r.personnummer: r for r in reversed(rows) if r.episode_id not in stored}
        numbers = list(wanted)
        patients = {
            p.personnummer: p
            for p in Patient.objects.filter(personnummer__in=numbers).select_related(
                "health_centre"
            )
        }
        earlier = self.seen.patient_ids([n for n in numbers if n not in patients])
        for number, pk in earlier.items():
            patients[number] = _patient(pk, number, wanted[number].kommun)
        new = [n for n in numbers if n not in patients]
        keys = self.ids.take(Patient, len(new)) if self.ids else self._placeholders(len(new))
        created = [
            _patient(pk, number, wanted[number].kommun)
            for pk, number in zip(keys, new, strict=True)
        ]
        self.seen.add_patients((p.personnummer, p.pk) for p in created)
        patients.update((p.personnummer, p) for p in created)
        self.result.patients += len(created)
        return patients, created

    def _placeholders(self, count: int) -> list[int]:
        """Keys that are never written (a dry run or a refused file): below zero."""
        start = self._placeholder
        self._placeholder -= count
        return list(range(start - 1, start - count - 1, -1))

    def _group_of(self, organisation_ids: frozenset[int]) -> dict[int, int]:
        missing = [pk for pk in organisation_ids if pk not in self._groups]
        if missing:
            self._groups.update(
                Organisation.objects.filter(pk__in=missing).values_list("pk", "group_id")
            )
        return {pk: self._groups[pk] for pk in organisation_ids}

    def _run(
        self, row: Row, episode: Episode | None, patients: dict[str, Patient], found: Found
    ) -> None:
        """The row's messages through the services (a new episode is registered first)."""
        region = row.kommun.region
        user = self.context.integration_user(region)
        ward = self.context.ward(region, row.hospital, row.ward, row.care_type)
        ward_actor = Actor(user, ward)
        centre: list[HealthCentre] = []

        def hc_actor() -> Actor:
            if not centre:
                centre.append(self.context.health_centre(row.kommun, row.health_centre))
            return Actor(user, centre[0])

        pending: list[Step]
        try:
            if episode is None:
                episode = self._register(row, ward_actor, hc_actor, patients[row.personnummer])
                pending = row_steps(row, ward_actor, hc_actor)
            else:
                pending = new_steps(row, episode, ward_actor, hc_actor, found)
                if pending:
                    self.result.updated += 1
                else:
                    self.result.unchanged += 1
        except Refused as exc:
            found.append(refusal(row, "episode_id", exc))
            return
        for step in pending:
            try:
                step.service(actor=step.actor, episode=episode, occurred_at=step.at,
                             recorder=self.recorder, **step.kwargs)  # fmt: skip
            except Refused as exc:
                found.append(refusal(row, step.column, exc))
                return

    def _register(
        self, row: Row, ward: Actor, hc: Callable[[], Actor], patient: Patient
    ) -> Episode:
        needs_hc = (
            row.named_contact or row.sip_invitation_at or row.sip_held_date or row.health_centre
        )
        episode = services.register_episode(
            actor=ward,
            patient=patient,
            ward=ward.organisation,  # type: ignore[arg-type]
            admitted_at=row.admitted_at,
            kommun=row.kommun,
            health_centre=hc().organisation if needs_hc else None,  # type: ignore[arg-type]
            care_type=row.care_type,
            external_id=row.episode_id,
            admission_type=row.admission_type,
            recorder=self.recorder,
        )
        self.result.created += 1
        return episode


def _patient(pk: int, number: str, kommun: Kommun) -> Patient:
    patient: Patient = new_instance(Patient, id=pk, personnummer=number, kommun_id=kommun.pk)
    return patient


def _stored_episodes(ids: list[str]) -> dict[str, Episode]:
    """The stored episodes of ``ids``, locked until the import ends."""
    if not ids:
        return {}
    locked = Episode.objects.select_related("patient")
    if connection.features.has_select_for_update_of:
        locked = locked.select_for_update(of=("self",))
    return {
        episode.external_id: episode  # type: ignore[misc]
        for episode in locked.filter(external_id__in=ids)
    }
