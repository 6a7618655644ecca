"""The one write path of deviations: filing one and answering it, each one transaction.

Bad input raises ``DeviationError`` naming the field; a user who may not take the step raises
``NotAllowed`` (a 403 on the pages). Whether the user sees the episode at all is the caller's
check (``discharges.selectors.get_visible_episode``: a 404)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deviations.models import DESCRIPTION_MAX_LENGTH, Category, Deviation
from discharges.models import Episode
from discharges.selectors import acting_organisation, organisation_ids


class DeviationError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(Exception):
    """The user acts for no organisation that may take this step."""


def parties(episode: Episode) -> list[int]:
    """The organisations of the episode a deviation may concern."""
    return [pk for pk in (episode.ward_id, episode.kommun_id, episode.health_centre_id) if pk]


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise DeviationError(field, _("The text holds a character that is not allowed (NUL)."))
    if not text:
        raise DeviationError(field, _("Write what happened."))
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise DeviationError(field, _("At most %(n)s characters.") % {"n": DESCRIPTION_MAX_LENGTH})
    return text


def file_deviation(
    user: User, episode: Episode, *, category: str, description: str, concerns_id: int | None
) -> Deviation:
    """A party of the episode files a deviation concerning another party of it."""
    organisation = acting_organisation(user, episode)
    if organisation is None:
        raise NotAllowed
    if category not in Category.values:
        raise DeviationError("category", _("Choose a category."))
    if concerns_id not in parties(episode) or concerns_id == organisation.pk:
        raise DeviationError("concerns", _("Choose another organisation of the episode."))
    text = _text(description, "description")
    with transaction.atomic():
        return Deviation.objects.create(
            episode=episode,
            category=category,
            description=text,
            filed_by=user,
            filed_by_organisation=organisation,
            concerns_id=concerns_id,
            filed_at=timezone.now(),
        )


def may_answer(user: User, deviation: Deviation) -> bool:
    return deviation.concerns_id in organisation_ids(user) and not deviation.answered


def answer_deviation(user: User, deviation_pk: int, text: str) -> Deviation:
    """The concerned organisation answers, once."""
    with transaction.atomic():
        deviation = Deviation.objects.select_for_update().get(pk=deviation_pk)
        if deviation.concerns_id not in organisation_ids(user):
            raise NotAllowed
        if deviation.answered:
            raise DeviationError("answer", _("The deviation has already been answered."))
        deviation.answer = _text(text, "answer")
        deviation.answered_by = user
        deviation.answered_at = timezone.now()
        deviation.save()
    return deviation
