"""``{% episode_deviations %}``: the deviations section of the episode page. The episode page
(discharges) includes ``deviations/_episode_hook.html``, which loads this library: discharges
never imports deviations."""

from __future__ import annotations

from typing import Any

from django import template

from deviations.models import Category
from deviations.selectors import episode_deviations as deviations_of
from deviations.selectors import other_parties
from deviations.services import may_answer

register = template.Library()


@register.inclusion_tag("deviations/_episode.html", takes_context=True)
def episode_deviations(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    episode = context["episode"]
    user = request.user
    deviations = deviations_of(episode.pk)
    return {
        "episode": episode,
        "deviations": [(d, may_answer(user, d)) for d in deviations],
        "categories": Category.choices,
        "others": other_parties(user, episode),
        "csrf_token": context.get("csrf_token"),
    }
