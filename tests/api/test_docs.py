"""The API's documentation page in Swedish, read from the forms and specs the API validates
with; the API itself answers JSON only (no English browsable pages)."""

from __future__ import annotations

from django.urls import reverse

from api.docs import message_docs
from discharges.forms import MESSAGE_FORMS
from tests.conftest import Personas, login

DOCS_URL = reverse("api:docs")


def test_the_docs_page_lists_every_message_with_its_fields_in_swedish(personas: Personas) -> None:
    response = login(personas.kommun_planner).get(DOCS_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>SVU:s API</h1>" in html
    for kind in MESSAGE_FORMS:
        assert f'id="kind-{kind}"' in html
    docs = {doc.kind: doc for doc in message_docs()}
    assert set(docs) == set(MESSAGE_FORMS)
    homecoming = docs["homecoming_proposed"]
    assert homecoming.senders == "avdelningen"
    [field] = [f for f in homecoming.fields if f.name == "homecoming_at"]
    assert field.required and field.label == "Föreslagen tid för hemgång"
    assert field.form.startswith("datum och klockslag, ISO 8601")
    discharge = {f.name: f for f in docs["discharge"].fields}
    assert discharge["destination"].form == (
        "en av: ordinary_home, special_housing, short_term, other"
    )
    assert "confirmed" not in discharge  # the page's "send anyway": the API never warns


def test_the_docs_page_is_for_signed_in_users(client: object) -> None:
    response = client.get(DOCS_URL)  # type: ignore[attr-defined]
    assert response.status_code == 302


def test_the_api_answers_json_to_a_browser(personas: Personas) -> None:
    response = login(personas.kommun_planner).get(
        reverse("api:episode_list"), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
