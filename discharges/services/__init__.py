"""The one write path: a service function per message of a discharge.

Every function checks that the actor may send the message, that the step is valid in the
episode's current state, appends the event and updates the projection, all in one transaction
that holds the episode's row lock. Pages, the API, the CSV import, the demo data and the tests
call these functions; nothing else writes episodes or events.

One module per family of messages; the public names are re-exported here so callers write
``from discharges import services`` and ``services.send_ready_notice(...)``.
"""

from discharges.services.actors import (
    SENDER_ROLE,
    Actor,
    actor_for,
    check_actor,
    is_integration,
)
from discharges.services.admission import (
    answer_admission,
    assess_track_colour,
    change_preliminary_date,
    change_recipients,
    name_care_contact,
    record_preliminary_date,
    send_admission_notice,
)
from discharges.services.consent import record_consent, withdraw_consent
from discharges.services.ending import close_episode, register_discharge
from discharges.services.errors import NotPermitted, Refused, Stale
from discharges.services.homecoming import (
    acknowledge_homecoming,
    mark_hsl_planning_done,
    mark_kommun_ready,
    mark_sol_planning_done,
    propose_homecoming,
    send_ready_notice_proposing_homecoming,
)
from discharges.services.identity import change_patient_identity, may_change_identity
from discharges.services.memberships import add_membership, remove_membership
from discharges.services.readiness import (
    record_ready_date,
    send_ready_notice,
    withdraw_ready_notice,
)
from discharges.services.receipts import acknowledge_all, acknowledge_receipt
from discharges.services.recording import (
    Message,
    Recorder,
    SingleRecorder,
    build_event,
    check_time,
    new_event,
)
from discharges.services.registration import (
    NEW_PATIENT_FIELDS,
    build_registration,
    find_patient,
    missing_for_new_patient,
    register_episode,
    register_patient,
    register_stay,
)
from discharges.services.sip import (
    cancel_sip,
    record_sip_follow_up_done,
    record_sip_held,
    record_sip_held_without_invitation,
    send_sip_invitation,
    take_sip_initiative,
)
from discharges.services.specs import PARTY_NAMES, SPECS, Party, Spec, available_kinds

__all__ = [
    "NEW_PATIENT_FIELDS",
    "PARTY_NAMES",
    "SENDER_ROLE",
    "SPECS",
    "Actor",
    "Message",
    "NotPermitted",
    "Party",
    "Recorder",
    "Refused",
    "SingleRecorder",
    "Spec",
    "Stale",
    "acknowledge_all",
    "acknowledge_homecoming",
    "acknowledge_receipt",
    "actor_for",
    "add_membership",
    "answer_admission",
    "assess_track_colour",
    "available_kinds",
    "build_event",
    "build_registration",
    "cancel_sip",
    "change_patient_identity",
    "change_preliminary_date",
    "change_recipients",
    "check_actor",
    "check_time",
    "close_episode",
    "find_patient",
    "is_integration",
    "mark_hsl_planning_done",
    "mark_kommun_ready",
    "mark_sol_planning_done",
    "may_change_identity",
    "missing_for_new_patient",
    "name_care_contact",
    "new_event",
    "propose_homecoming",
    "record_consent",
    "record_preliminary_date",
    "record_ready_date",
    "record_sip_follow_up_done",
    "record_sip_held",
    "record_sip_held_without_invitation",
    "register_discharge",
    "register_episode",
    "register_patient",
    "register_stay",
    "remove_membership",
    "send_admission_notice",
    "send_ready_notice",
    "send_ready_notice_proposing_homecoming",
    "send_sip_invitation",
    "take_sip_initiative",
    "withdraw_consent",
    "withdraw_ready_notice",
]
