"""The API's documentation page in Swedish, read from the forms and specs the API validates
with; the API itself answers JSON only (no English browsable pages)."""

from __future__ import annotations

import re

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


def test_swagger_ui_is_served_from_here_without_inline_script(personas: Personas) -> None:
    client = login(personas.kommun_planner)
    response = client.get(reverse("api:swagger"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert any("swagger-ui-bundle.js" in s for s in sources)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    script = next(s for s in sources if "script=" in s)
    assert client.get(script).status_code == 200
    bundle = next(s for s in sources if "swagger-ui-bundle.js" in s)
    assert client.get(bundle).status_code == 200  # vendored: drf-spectacular-sidecar


def test_the_schema_is_openapi_3_1_with_an_operation_per_message_kind(personas: Personas) -> None:
    response = login(personas.kommun_planner).get(reverse("api:schema"), {"format": "json"})
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    for kind in MESSAGE_FORMS:
        operation = paths["/api/v1/episodes/{id}/messages/" + kind + "/"]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert {"201", "400", "401", "403", "404", "409", "422", "429"} <= set(
            operation["responses"]
        )
    assert all(path.startswith("/api/v1/") for path in paths)  # the aliases stay out
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_paths_of_before_v1_are_aliases(personas: Personas) -> None:
    client = login(personas.kommun_planner)
    assert client.get("/api/episodes/").json() == client.get("/api/v1/episodes/").json()
    assert client.get("/api/episodes/987654321/").json()["error"] == "not_found"
