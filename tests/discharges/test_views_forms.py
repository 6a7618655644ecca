"""The message forms of the episode page, as a nurse, a coordinator and a planner meet them.

- After a 409 the page lists what changed and offers the form on the current version with the
  user's input kept; sending it again stores the message.
- Unlikely but allowed values (a discharge before the agreed homecoming, a SIP meeting before
  the invited date) are sent only after a warning; nothing is stored before.
- No preselected destination; yes/no questions in a fieldset with a legend; back-dating behind
  "Annan tidpunkt"; dates and times as 2026-11-29 14:02 in text inputs.
- The ready notice may carry the proposed homecoming time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from discharges import services
from discharges.models import Destination, Episode, EpisodeEvent, EventKind
from tests.conftest import Personas, fresh, login
from tests.discharges.pages import detail_url, events, form_item, message_url


def local(moment: object) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"  # type: ignore[arg-type]


def test_a_stale_form_comes_back_on_the_current_version_with_the_input_kept(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    opened = fresh(episode).version
    services.answer_admission(actor=personas.kommun_actor, episode=episode, current_services=False)
    wanted = timezone.localdate() + timedelta(days=6)
    nurse = login(personas.ward_nurse)
    url = message_url(episode.pk, "preliminary_date_changed")
    response = nurse.post(url, {"version": opened, "preliminary_ready_date": wanted.isoformat()})
    assert response.status_code == 409
    html = response.content.decode()
    changes = html[html.index('id="changes"') :]
    assert "Ändrat sedan du öppnade sidan" in changes
    assert "Svar på inskrivning" in changes[: changes.index("</section>")]
    form = form_item(response, "preliminary_date_changed")["form"]
    assert form["version"].value() == str(fresh(episode).version)
    assert form["preliminary_ready_date"].value() == wanted.isoformat()  # kept
    assert "Någon annan har ändrat vårdtillfället" in str(form.non_field_errors())
    assert f'<meta name="svu-canonical" content="{detail_url(episode.pk)}">' in html
    assert fresh(episode).preliminary_ready_date != wanted

    again = nurse.post(url, {k: form[k].value() for k in ("version", "preliminary_ready_date")})
    assert again.status_code == 302
    assert fresh(episode).preliminary_ready_date == wanted


def test_a_discharge_before_the_agreed_homecoming_is_sent_after_a_warning(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    agreed = timezone.now() + timedelta(hours=6)
    services.acknowledge_homecoming(
        actor=personas.kommun_actor, episode=episode, homecoming_at=agreed
    )
    nurse = login(personas.ward_nurse)
    url = message_url(episode.pk, "discharge")
    data = {"version": fresh(episode).version, "destination": Destination.HOME}
    before = events(episode)
    warned = nurse.post(url, data)
    assert warned.status_code == 200
    assert events(episode) == before
    html = warned.content.decode()
    assert "före den överenskomna tiden för hemgång" in html
    assert local(agreed) in html
    form = form_item(warned, "discharge")["form"]
    assert form["confirmed"].value() == "1"
    assert "Skicka ändå" in html
    sent = nurse.post(url, {**data, "confirmed": "1"})
    assert sent.status_code == 302
    assert events(episode) == before + 1
    assert fresh(episode).discharged_at is not None


def test_a_discharge_at_or_after_the_agreed_time_needs_no_confirmation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.acknowledge_homecoming(
        actor=personas.kommun_actor,
        episode=episode,
        homecoming_at=timezone.now() - timedelta(hours=1),
    )
    response = login(personas.ward_nurse).post(
        message_url(episode.pk, "discharge"),
        {"version": fresh(episode).version, "destination": Destination.SPECIAL_HOUSING},
    )
    assert response.status_code == 302


def test_a_sip_meeting_before_the_invited_date_is_sent_after_a_warning(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")  # the invitation gives a meeting tomorrow
    coordinator = login(personas.hc_coordinator)
    url = message_url(episode.pk, "sip_held")
    held = timezone.localdate()
    data = {"version": fresh(episode).version, "held_date": held.isoformat()}
    warned = coordinator.post(url, data)
    assert warned.status_code == 200
    assert "före det datum som kallelsen angav" in warned.content.decode()
    assert fresh(episode).sip_held_date is None
    assert coordinator.post(url, {**data, "confirmed": "1"}).status_code == 302
    assert fresh(episode).sip_held_date == held


def test_the_destination_has_no_preselected_choice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    nurse = login(personas.ward_nurse)
    html = nurse.get(detail_url(episode.pk)).content.decode()
    select = html[html.index('id="id_discharge_destination"') :]
    select = select[: select.index("</select>")]
    assert re.search(r'<option value="" selected>Välj …</option>', select)
    assert select.count("selected") == 1
    refused = nurse.post(message_url(episode.pk, "discharge"), {"version": fresh(episode).version})
    assert refused.status_code == 400
    assert "Välj vart patienten skrivs ut till." in refused.content.decode()


def test_a_yes_no_question_is_a_fieldset_with_a_legend(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    html = login(personas.kommun_planner).get(detail_url(episode.pk)).content.decode()
    form = html[html.index('id="form-admission_answer"') :]
    form = form[: form.index("</form>")]
    fieldset = re.search(r"<fieldset[^>]*>\s*<legend>([^<]+)</legend>(.*?)</fieldset>", form, re.S)
    assert fieldset is not None
    assert fieldset.group(1) == "Aktuella eller nyligen avslutade insatser"
    assert fieldset.group(2).count('type="radio"') == 2


def test_back_dating_waits_behind_another_time_and_dates_are_iso_text(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    nurse = login(personas.ward_nurse)
    html = nurse.get(detail_url(episode.pk)).content.decode()
    form = html[html.index('id="form-ready_notice"') :]
    form = form[: form.index("</form>")]
    backdate = form[form.index('<details class="backdate">') :]
    assert "Annan tidpunkt (efterregistrering)" in backdate
    assert 'name="occurred_at"' in backdate
    assert form.index('name="ready_date"') < form.index('<details class="backdate">')
    ready_date = re.search(r'<input type="text" name="ready_date"[^>]*>', form)
    assert ready_date is not None
    assert 'pattern="\\d{4}-\\d{2}-\\d{2}"' in ready_date.group(0)
    assert 'placeholder="ÅÅÅÅ-MM-DD"' in ready_date.group(0)
    # A refused back-dated time comes back with its details open.
    refused = nurse.post(
        message_url(episode.pk, "ready_notice"),
        {
            "version": fresh(episode).version,
            "ready_date": timezone.localdate().isoformat(),
            "occurred_at": local(timezone.now() - timedelta(days=30)),
        },
    )
    assert refused.status_code == 400
    assert '<details class="backdate" open>' in refused.content.decode()


def test_the_ready_notice_may_carry_the_proposed_homecoming(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    proposed = (timezone.localtime() + timedelta(days=1)).replace(
        hour=13, minute=30, second=0, microsecond=0
    )
    response = login(personas.ward_nurse).post(
        message_url(episode.pk, "ready_notice"),
        {
            "version": fresh(episode).version,
            "ready_date": timezone.localdate().isoformat(),
            "homecoming_at": f"{proposed:%Y-%m-%d %H:%M}",
        },
    )
    assert response.status_code == 302
    kinds = list(
        EpisodeEvent.objects.filter(episode=episode).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-2:] == [EventKind.READY_NOTICE, EventKind.HOMECOMING_PROPOSED]
    assert fresh(episode).homecoming_proposed_at == proposed
    # The kommun's page offers it with one click; its form is filled in with it.
    page = login(personas.kommun_planner).get(detail_url(episode.pk))
    html = page.content.decode()
    assert f"Bekräfta hemgång {proposed:%Y-%m-%d %H:%M}" in html
    form = form_item(page, "homecoming_acknowledged")["form"]
    assert form["homecoming_at"].value() == proposed.replace(tzinfo=None)  # shown in local time
