"""Forms for the pages. Field names equal the service functions' keyword arguments, so a view
passes ``cleaned_data`` straight to the service."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from discharges import services
from discharges.events import TEXT_LIMITS
from discharges.menus import MAX_ID as MAX_ID  # the pages' and the API's id range
from discharges.menus import IdChoiceField as IdChoiceField
from discharges.menus import RegionMenus as RegionMenus
from discharges.menus import beyond_id_range as beyond_id_range
from discharges.menus import group_by_region
from discharges.models import (
    AdmissionType,
    CareType,
    ClosureReason,
    Destination,
    EpisodeStatus,
    EventKind,
    HealthCentre,
    Kommun,
    NeedsOutcome,
    Patient,
    SipPlace,
    TrackColour,
    Ward,
)
from discharges.personnummer import (
    PERSONNUMMER_IN_TEXT,
    format_personnummer,
    normalise_personnummer,
)


class DateInput(forms.DateInput):
    """A date as 2026-11-29 whatever the browser's language: a text input with a picker button
    (static/js/svu.js), since Chromium shows ``<input type=date>`` in the browser's locale
    (11/29/2026 for en-US) whatever the page's ``lang``."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "inputmode": "numeric",
            "pattern": r"\d{4}-\d{2}-\d{2}",
            "placeholder": _("YYYY-MM-DD"),
            "title": _("A date as 2026-11-29"),
            "autocomplete": "off",
            "size": "11",
            "data-picker": "date",
            "data-picker-label": _("Open the calendar"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A date and time as 2026-11-29 14:02 (24-hour) whatever the browser's language; the
    ISO form with a T (2026-11-29T14:02) is read too."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "inputmode": "numeric",
            "pattern": r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}",
            "placeholder": _("YYYY-MM-DD HH:MM"),
            "title": _("A date and time as 2026-11-29 14:02"),
            "autocomplete": "off",
            "size": "17",
            "data-picker": "datetime",
            "data-picker-label": _("Open the calendar"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d %H:%M")

    def format_value(self, value: Any) -> str | None:
        if hasattr(value, "strftime"):
            return str(value.strftime("%Y-%m-%d %H:%M"))
        return value


class MessageForm(forms.Form):
    """Common to every message: the episode version it was based on, when it happened (empty
    for now; the page shows it behind "Annan tidpunkt") and whether the sender has seen the
    page's warnings (``discharges.plausibility``) and sends anyway."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=DateTimeInput,
    )
    confirmed = forms.TypedChoiceField(
        choices=[("", ""), ("1", "1")],
        coerce=lambda value: value == "1",
        empty_value=False,  # type: ignore[arg-type]  # a bool, as coerce gives
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(
        self, *args: Any, episode: Any = None, menus: RegionMenus | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.menus = menus  # the page's municipality and health centre menus, if it has them
        self.warnings: list[str] = []  # discharges.plausibility's, shown before sending
        self.fields["occurred_at"].help_text = _(
            "Leave empty for now. May be back-dated up to %(days)s days."
        ) % {"days": settings.SVU_MAX_BACKDATE.days}

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        data.pop("confirmed", None)
        return data


class AdmissionNoticeForm(MessageForm):
    preliminary_ready_date = forms.DateField(label=_("Preliminary ready date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason for admission"),
        required=False,
        max_length=TEXT_LIMITS[EventKind.ADMISSION_NOTICE]["reason"],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shared with municipality and health centre only with the patient's consent."),
    )


class PreliminaryDateForm(MessageForm):
    preliminary_ready_date = forms.DateField(
        label=_("New preliminary ready date"), widget=DateInput
    )


YES_NO = [("true", _("Yes")), ("false", _("No"))]
_ANSWER_LIMITS = TEXT_LIMITS[EventKind.ADMISSION_ANSWER]


class AdmissionAnswerForm(MessageForm):
    current_services = forms.TypedChoiceField(
        label=_("Current or recent services"),
        choices=YES_NO,
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
    )
    services = forms.CharField(
        label=_("Which services"),
        required=False,
        max_length=_ANSWER_LIMITS["services"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    social_network = forms.CharField(
        label=_("Social network"),
        required=False,
        max_length=_ANSWER_LIMITS["social_network"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aids = forms.CharField(
        label=_("Aids (incl. incontinence aids)"),
        required=False,
        max_length=_ANSWER_LIMITS["aids"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


_CONTACT_LIMITS = TEXT_LIMITS[EventKind.NAMED_CARE_CONTACT]


class NamedCareContactForm(MessageForm):
    name = forms.CharField(label=_("Name and title"), max_length=_CONTACT_LIMITS["name"])
    phone = forms.CharField(label=_("Phone"), max_length=_CONTACT_LIMITS["phone"], required=False)


class TrackColourForm(MessageForm):
    colour = forms.ChoiceField(label=_("Track colour"), choices=TrackColour.choices)
    sip_needed = forms.TypedChoiceField(
        label=_("SIP needed"),
        choices=[("", _("Not assessed")), *YES_NO],
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
    )


class ReadyNoticeForm(MessageForm):
    ready_date = forms.DateField(label=_("Ready date"), widget=DateInput)
    homecoming_at = forms.DateTimeField(
        label=_("Proposed time for homecoming"),
        required=False,
        widget=DateTimeInput,
        help_text=_("Optional: the municipality acknowledges it or gives another time."),
    )


class ReasonForm(MessageForm):
    """A withdrawn ready notice or a cancelled SIP (the same limit)."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=TEXT_LIMITS[EventKind.READY_NOTICE_WITHDRAWN]["reason"],
    )


class NoteForm(MessageForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_LIMITS[EventKind.SIP_INITIATIVE]["note"]
    )


class SipInvitationForm(MessageForm):
    meeting_at = forms.DateTimeField(label=_("Meeting time"), required=False, widget=DateTimeInput)


class SipHeldForm(MessageForm):
    held_date = forms.DateField(label=_("Date held"), widget=DateInput)
    place = forms.ChoiceField(
        label=_("Where the SIP was held"),
        choices=[("", _("Not given")), *SipPlace.choices],
        required=False,
    )
    follow_up_date = forms.DateField(
        label=_("Follow-up planned for"),
        required=False,
        widget=DateInput,
        help_text=_("Optional: the date the plan is to be followed up."),
    )


class SipFollowUpDoneForm(MessageForm):
    done_date = forms.DateField(label=_("Follow-up done on"), widget=DateInput)


class HomecomingProposalForm(MessageForm):
    homecoming_at = forms.DateTimeField(
        label=_("Proposed time for homecoming"), widget=DateTimeInput
    )


class HomecomingForm(MessageForm):
    homecoming_at = forms.DateTimeField(
        label=_("Agreed time for homecoming"),
        widget=DateTimeInput,
        help_text=_("The ward's proposal is filled in; give another time if it does not suit."),
    )


class DischargeForm(MessageForm):
    destination = forms.ChoiceField(
        label=_("Destination"),
        choices=[("", _("Choose…")), *Destination.choices],
        error_messages={"required": _("Choose where the patient goes.")},
    )
    needs_outcome = forms.ChoiceField(
        label=_("Outcome of needs"),
        choices=[("", _("Not given")), *NeedsOutcome.choices],
        required=False,
    )


class CloseForm(MessageForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ClosureReason.choices)


class RecipientsForm(MessageForm):
    kommun = IdChoiceField(label=_("Municipality"), queryset=Kommun.objects.all())
    health_centre = IdChoiceField(
        label=_("Health centre"), queryset=HealthCentre.objects.order_by("name"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.episode is not None:
            group_by_region(self, self.episode.kommun.code[:2], self.menus)


# kind -> (form, service). The view renders the form for each kind the party may send now.
MESSAGE_FORMS: dict[str, tuple[type[MessageForm], Any]] = {
    EventKind.ADMISSION_NOTICE: (AdmissionNoticeForm, services.send_admission_notice),
    EventKind.PRELIMINARY_DATE_CHANGED: (PreliminaryDateForm, services.change_preliminary_date),
    EventKind.ADMISSION_ANSWER: (AdmissionAnswerForm, services.answer_admission),
    EventKind.NAMED_CARE_CONTACT: (NamedCareContactForm, services.name_care_contact),
    EventKind.TRACK_COLOUR: (TrackColourForm, services.assess_track_colour),
    EventKind.READY_NOTICE: (ReadyNoticeForm, services.send_ready_notice_proposing_homecoming),
    EventKind.READY_NOTICE_WITHDRAWN: (ReasonForm, services.withdraw_ready_notice),
    EventKind.SIP_INITIATIVE: (NoteForm, services.take_sip_initiative),
    EventKind.SIP_INVITATION: (SipInvitationForm, services.send_sip_invitation),
    EventKind.SIP_HELD: (SipHeldForm, services.record_sip_held),
    EventKind.SIP_CANCELLED: (ReasonForm, services.cancel_sip),
    EventKind.SIP_FOLLOW_UP_DONE: (SipFollowUpDoneForm, services.record_sip_follow_up_done),
    EventKind.SOL_PLANNING_DONE: (MessageForm, services.mark_sol_planning_done),
    EventKind.HSL_PLANNING_DONE: (MessageForm, services.mark_hsl_planning_done),
    EventKind.KOMMUN_READY: (MessageForm, services.mark_kommun_ready),
    EventKind.HOMECOMING_PROPOSED: (HomecomingProposalForm, services.propose_homecoming),
    EventKind.HOMECOMING_ACKNOWLEDGED: (HomecomingForm, services.acknowledge_homecoming),
    EventKind.DISCHARGE: (DischargeForm, services.register_discharge),
    EventKind.CLOSED: (CloseForm, services.close_episode),
    EventKind.RECIPIENTS_CHANGED: (RecipientsForm, services.change_recipients),
}


class PersonnummerField(forms.CharField):
    """Accepts 10/12 digits with or without separator; cleans to the 12-digit form."""

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return normalise_personnummer(value) if value else value


class RegisterEpisodeForm(forms.Form):
    """Name, address and kommun are required for a new patient only (the view checks): a known
    patient is registered as stored, once the ward has seen the stored values and confirmed
    (``known_patient``, the id the page showed). For a known patient (``known``) the form shows
    the stored name and address, not editable (a change is recorded on the episode's page), and
    fills in the patient's kommun and health centre as the episode's recipients."""

    NEW_PATIENT_FIELDS = services.NEW_PATIENT_FIELDS  # what a new patient needs

    personnummer = PersonnummerField(label=_("Personal identity number"), max_length=13)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    address = forms.CharField(label=_("Registered address"), max_length=300, required=False)
    kommun = IdChoiceField(
        label=_("Municipality of residence"), queryset=Kommun.objects.all(), required=False
    )
    known_patient = forms.IntegerField(widget=forms.HiddenInput, required=False)
    health_centre = IdChoiceField(
        label=_("Listed at health centre"),
        queryset=HealthCentre.objects.order_by("name"),
        required=False,
    )
    ward = IdChoiceField(label=_("Ward"), queryset=Ward.objects.none())
    care_type = forms.ChoiceField(
        label=_("Care type"),
        choices=[("", _("As the ward")), *CareType.choices],
        required=False,
    )
    admitted_at = forms.DateTimeField(label=_("Admitted"), widget=DateTimeInput)
    admission_type = forms.ChoiceField(
        label=_("Admission type"),
        choices=[("", _("Choose…")), *AdmissionType.choices],
        error_messages={"required": _("Choose whether the admission is acute or planned.")},
    )

    def __init__(
        self, *args: Any, wards: Any = None, known: Patient | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["personnummer"].widget.attrs["autofocus"] = True
        if wards is not None:
            cast(forms.ModelChoiceField, self.fields["ward"]).queryset = wards
            if len(wards) == 1:
                self.fields["ward"].initial = wards[0]
            group_by_region(self, wards[0].region_code if len(wards) else None)
        if known is not None:
            self.fields["personnummer"].widget.attrs.pop("autofocus", None)
            self.fields["admitted_at"].widget.attrs["autofocus"] = True  # what is left to fill
            self.initial.update(
                personnummer=format_personnummer(known.personnummer),
                known_patient=known.pk,
                name=known.name,
                address=known.address,
                kommun=known.kommun_id,
                health_centre=known.health_centre_id,
            )
            for name in ("name", "address"):
                self.fields[name].disabled = True
            self.fields["name"].help_text = _(
                "As stored. A change of the patient's details is recorded on the episode's page."
            )
            self.fields["kommun"].help_text = _(
                "The municipality that receives the messages: the patient's, unless you choose "
                "another."
            )


class PatientIdentityForm(forms.Form):
    """A ward's change of the patient's details (``services.change_patient_identity``)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Registered address"), max_length=300, required=False)
    kommun = IdChoiceField(label=_("Municipality of residence"), queryset=Kommun.objects.all())
    health_centre = IdChoiceField(
        label=_("Listed at health centre"),
        queryset=HealthCentre.objects.order_by("name"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For example the source: the patient, a relative, the population register."),
    )

    def __init__(
        self,
        *args: Any,
        region_code: str | None = None,
        menus: RegionMenus | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        group_by_region(self, region_code, menus)


class PersonnummerSearchForm(forms.Form):
    personnummer = PersonnummerField(label=_("Personal identity number"), max_length=13)


LIST_STATUSES = [("active", _("Active")), ("all", _("All")), *EpisodeStatus.choices]
PERSONNUMMER_NOT_IN_URL = _(
    "Search by personal identity number in the field Personal identity number: this search is "
    "sent in the address, which is written to logs."
)


class EpisodeListFilters(forms.Form):
    """The episode list's query string (``page`` is read by the page itself).

    A personnummer is never searched here: the list's search is a GET, so it would land in the
    URL, the browser's history and the web server's log. ``PersonnummerSearchForm`` is a POST.
    """

    status = forms.ChoiceField(
        label=_("Status"),
        choices=LIST_STATUSES,
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    q = forms.CharField(label=_("Name or id"), max_length=100, required=False)
    patient = forms.IntegerField(label=_("Patient"), min_value=1, max_value=MAX_ID, required=False)

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or "active"

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"]
        if PERSONNUMMER_IN_TEXT.search(query):
            raise forms.ValidationError(PERSONNUMMER_NOT_IN_URL, code="personnummer")
        return query

    def refused_status(self) -> int:
        """200 for a personnummer in the search (the page explains), else 400."""
        only_personnummer = list(self.errors) == ["q"] and self.has_error("q", "personnummer")
        return 200 if only_personnummer else 400

    def messages(self) -> list[str]:
        """The errors as the page shows them; none quotes the input."""
        return [
            f"{self.fields[name].label or name}: {' '.join(str(e) for e in errors)}"
            for name, errors in self.errors.items()
        ]


class ConsentNoteForm(forms.Form):
    """The note of a recorded or withdrawn consent (the consent buttons of the episode page)."""

    note = forms.CharField(label=_("Note"), max_length=300, required=False)
